//! 月度快报 and 季度通报: the kinds of bulletin the office issues. One table for the store (the
//! stored code), the renderer (`qx-report`'s snapshot) and every page that names a bulletin.

use crate::coded::stored_state;
use serde::Deserialize;

stored_state! {
    /// 月度快报 or 季度通报.
    #[derive(Deserialize)]
    BulletinKind ("快报类型", "bulletin kind") {
        /// 月度快报: after each month's reports.
        Monthly = "monthly", "月度快报", "Monthly bulletin";
        /// 季度通报: after a quarter, with the rankings.
        Quarterly = "quarterly", "季度通报", "Quarterly bulletin";
    }
}
