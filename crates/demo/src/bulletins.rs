//! The demo's published bulletins: the office issued the 季度通报 for the first three quarters
//! and the 月度快报 for October, each on the 15th of the following month, as it would have.
//! They are built through the same publishing path as the web and `qx report --publish`, so
//! the archive, 发文字号 sequence and audit entries are the real ones.

use crate::DemoError;
use qx_app::bulletin::{self, report::BulletinKind};
use qx_core::access::Actor;
use qx_core::period::Period;
use qx_store::Store;

/// (kind, period, 成文日期) in the order the office issued them.
pub const ISSUED: [(BulletinKind, &str, &str); 4] = [
    (BulletinKind::Quarterly, "2017Q1", "2017-04-14"),
    (BulletinKind::Quarterly, "2017Q2", "2017-07-14"),
    (BulletinKind::Quarterly, "2017Q3", "2017-10-13"),
    (BulletinKind::Monthly, "2017-10", "2017-11-15"),
];

pub async fn seed(store: &Store, office: &Actor, plan_id: i64) -> Result<(), DemoError> {
    for (kind, period, issued_on) in ISSUED {
        let period: Period = period
            .parse()
            .map_err(|e| DemoError::Data(format!("bulletin period {period}: {e}")))?;
        bulletin::publish(store, office, plan_id, kind, period, issued_on)
            .await
            .map_err(|e| DemoError::Data(format!("publishing the {period} bulletin: {e}")))?;
    }
    Ok(())
}
