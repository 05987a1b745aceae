//! Forward cost of a [`UnetConfig`] counted from its layers: multiply-adds of convolutions,
//! dense layers and attention products (norms and activations are negligible here).

use super::config::UnetConfig;
use super::refine::RefineHead;

impl UnetConfig {
    /// Forward FLOPs (2 x multiply-adds) for one image.
    pub fn flops_per_image(&self) -> f64 {
        let mut macs = 0.0;
        let conv =
            |hw: usize, k: usize, cin: usize, cout: usize| (hw * hw * k * k * cin * cout) as f64;
        let (ch, temb) = (self.channels, 4 * self.channels);
        let res_block = |hw: usize, cin: usize, cout: usize| {
            conv(hw, 3, cin, cout)
                + conv(hw, 3, cout, cout)
                + (temb * cout) as f64
                + if cin != cout {
                    conv(hw, 1, cin, cout)
                } else {
                    0.0
                }
        };
        let attn = |hw: usize, c: usize| {
            4.0 * conv(hw, 1, c, c) + 2.0 * ((hw * hw) * (hw * hw) * c) as f64
        };
        let (r0, pc) = (
            self.resolution / self.patch,
            self.image_channels * self.patch * self.patch,
        );
        macs += (ch * temb + temb * temb) as f64 + conv(r0, 3, pc, ch);
        let levels = self.channel_mults.len();
        let mut res = r0;
        let mut prev = ch;
        let mut widths = vec![];
        for (i, m) in self.channel_mults.iter().enumerate() {
            let c = ch * m;
            widths.push((prev, c, res));
            for j in 0..self.num_res_blocks {
                macs += res_block(res, if j == 0 { prev } else { c }, c);
                if self.attn_resolutions.contains(&res) {
                    macs += attn(res, c);
                }
            }
            prev = c;
            if i + 1 < levels {
                res = res.div_ceil(2);
                macs += conv(res, 3, c, c);
            }
        }
        macs += 2.0 * res_block(res, prev, prev) + attn(res, prev);
        let mut block_in = prev;
        for (i, &(cin, c, r)) in widths.iter().enumerate().rev() {
            for j in 0..=self.num_res_blocks {
                let skip = if j == self.num_res_blocks { cin } else { c };
                macs += res_block(r, block_in + skip, c);
                block_in = c;
                if self.attn_resolutions.contains(&r) {
                    macs += attn(r, c);
                }
            }
            if i > 0 {
                macs += conv(widths[i - 1].2, 3, c, c);
            }
        }
        macs += conv(r0, 3, block_in, pc);
        if let Some(c) = self.refine {
            let pixels = self.resolution * self.resolution;
            macs += RefineHead::macs(self.image_channels, c, temb, pixels);
        }
        2.0 * macs
    }
}
