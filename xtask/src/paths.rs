//! Commands run from any folder of the repository (issue 18, part 6). Defaults such as
//! `configs/zoo/...`, `data/` and `assets/` name files under the workspace root; when `cargo
//! xtask` starts in another folder of the repository, every relative path the user typed is made
//! absolute against the folder it was typed in, and the process moves to the root. Started at the
//! root, or outside the repository, nothing changes.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use clap::{Arg, Command};

/// The workspace root: the nearest folder at or above `from` that holds `Cargo.toml` and
/// `xtask/Cargo.toml`.
pub fn workspace_root(from: &Path) -> Option<PathBuf> {
    from.ancestors()
        .find(|d| d.join("Cargo.toml").is_file() && d.join("xtask/Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// `argv` to parse, after moving to the workspace root when started below it.
pub fn relocate(cmd: &Command, argv: Vec<OsString>) -> std::io::Result<Vec<OsString>> {
    let cwd = std::env::current_dir()?;
    match workspace_root(&cwd) {
        Some(root) if root != cwd => {
            let argv = absolutize(cmd, argv, &cwd);
            std::env::set_current_dir(&root)?;
            Ok(argv)
        }
        _ => Ok(argv),
    }
}

fn is_path(arg: &Arg) -> bool {
    arg.get_value_parser().type_id() == std::any::TypeId::of::<PathBuf>()
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

/// `value` (or each `delimiter`-separated part of it) joined to `cwd` when relative.
fn absolute(value: &OsStr, delimiter: Option<char>, cwd: &Path) -> OsString {
    let one = |v: &str| -> String {
        if v.is_empty() || Path::new(v).is_absolute() {
            v.to_owned()
        } else {
            cwd.join(v).to_string_lossy().into_owned()
        }
    };
    let Some(text) = value.to_str() else {
        return value.to_owned();
    };
    match delimiter {
        Some(d) => text
            .split(d)
            .map(one)
            .collect::<Vec<_>>()
            .join(&d.to_string()),
        None => one(text),
    }
    .into()
}

/// Rewrites the values of path arguments (options, `--opt=value` and positionals) of the
/// subcommands named in `argv`; everything else is kept as typed.
pub fn absolutize(cmd: &Command, argv: Vec<OsString>, cwd: &Path) -> Vec<OsString> {
    let mut chain: Vec<&Command> = vec![cmd];
    let mut positional = 0;
    let mut out = Vec::with_capacity(argv.len());
    let mut tokens = argv.into_iter();
    out.extend(tokens.next());
    while let Some(token) = tokens.next() {
        let text = token.to_string_lossy().into_owned();
        let current = *chain.last().expect("root");
        if let Some(long) = text.strip_prefix("--").filter(|l| !l.is_empty()) {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (long, None),
            };
            let arg = chain.iter().rev().find_map(|c| {
                c.get_arguments().find(|a| {
                    a.get_long() == Some(name)
                        || a.get_all_aliases().is_some_and(|al| al.contains(&name))
                })
            });
            let Some(arg) = arg.filter(|a| takes_value(a)) else {
                out.push(token);
                continue;
            };
            let fix = |v: &OsStr| {
                if is_path(arg) {
                    absolute(v, arg.get_value_delimiter(), cwd)
                } else {
                    v.to_owned()
                }
            };
            match inline {
                Some(v) => {
                    let mut t = OsString::from(format!("--{name}="));
                    t.push(fix(OsStr::new(&v)));
                    out.push(t);
                }
                None => {
                    out.push(token);
                    if let Some(v) = tokens.next() {
                        out.push(fix(&v));
                    }
                }
            }
        } else if text.starts_with('-') && text.len() > 1 {
            out.push(token);
        } else if let Some(sub) = current.find_subcommand(&text) {
            chain.push(sub);
            positional = 0;
            out.push(token);
        } else {
            let args: Vec<&Arg> = current.get_positionals().collect();
            let arg = args.get(positional.min(args.len().saturating_sub(1)));
            let multiple =
                arg.is_some_and(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1));
            if !multiple {
                positional += 1;
            }
            match arg.filter(|a| is_path(a)) {
                Some(a) => out.push(absolute(&token, a.get_value_delimiter(), cwd)),
                None => out.push(token),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Parser, Subcommand};

    #[derive(Parser)]
    struct Cli {
        #[arg(long, global = true)]
        device: Option<String>,
        #[command(subcommand)]
        cmd: Cmd,
    }

    #[derive(Subcommand)]
    enum Cmd {
        Fid {
            #[arg(long)]
            images: Option<PathBuf>,
            #[arg(long, value_delimiter = ',')]
            labels: Vec<PathBuf>,
            #[arg(long)]
            n: Option<usize>,
            #[arg(long = "seed-set", alias = "bank")]
            bank: Option<u64>,
        },
        Merge {
            inputs: Vec<PathBuf>,
            #[arg(long)]
            out: PathBuf,
        },
    }

    fn run(args: &[&str]) -> Vec<String> {
        let argv = args.iter().map(OsString::from).collect();
        absolutize(
            &<Cli as clap::CommandFactory>::command(),
            argv,
            Path::new("/w/sub"),
        )
        .into_iter()
        .map(|s| s.into_string().unwrap())
        .collect()
    }

    #[test]
    fn relative_path_values_are_joined_to_where_they_were_typed() {
        assert_eq!(
            run(&[
                "x",
                "--device",
                "cpu",
                "fid",
                "--images",
                "a.npy",
                "--n",
                "5",
                "--labels=b,/c",
                "--bank",
                "3"
            ]),
            [
                "x",
                "--device",
                "cpu",
                "fid",
                "--images",
                "/w/sub/a.npy",
                "--n",
                "5",
                "--labels=/w/sub/b,/c",
                "--bank",
                "3"
            ]
        );
        assert_eq!(
            run(&["x", "merge", "s0", "../s1", "--out", "m.jsonl"]),
            [
                "x",
                "merge",
                "/w/sub/s0",
                "/w/sub/../s1",
                "--out",
                "/w/sub/m.jsonl"
            ]
        );
        assert_eq!(run(&["x", "fid", "--help"]), ["x", "fid", "--help"]);
    }

    #[test]
    fn the_root_is_the_folder_with_the_workspace_and_xtask_manifests() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = here.parent().unwrap();
        assert_eq!(workspace_root(&here.join("src")).as_deref(), Some(root));
        assert_eq!(workspace_root(root).as_deref(), Some(root));
        assert_eq!(workspace_root(Path::new("/")), None);
    }
}
