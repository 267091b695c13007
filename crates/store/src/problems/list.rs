//! The problem list: filters over one static statement per index that can drive it.

use super::*;

/// A line of the problem list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProblemRow {
    pub id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub category: Category,
    #[sqlx(try_from = "String")]
    pub status: Status,
    #[sqlx(try_from = "String")]
    pub tier: Tier,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub lead_unit_id: Option<i64>,
    pub lead_unit_name: String,
    pub submitted_on: String,
    /// The running deadline as stored (`''` when none runs), as the API sends it.
    pub due_on: String,
    /// `due_on` decoded by [`Store::list_problems`]: what code decides on.
    #[serde(skip)]
    #[sqlx(skip)]
    pub due: Option<Date>,
    pub extension_pending: i64,
    pub urge_count: i64,
}

/// List filters; `None` switches a filter off.
#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub status: Option<Status>,
    /// Several statuses at once (未办结, 承办单位办理中): `StatusGroup::contains`.
    pub group: Option<StatusGroup>,
    pub category: Option<Category>,
    pub tier: Option<Tier>,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub overdue: bool,
    pub near: bool,
    pub q: Option<String>,
    /// ISO dates bounding `submitted_on`, both included.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// The list's filters over `problems p` alone, $1..$13: status, category, tier, lead unit,
/// enterprise, overdue (0/1), today, near (0/1), near-until, search text, from, to, status group
/// (0 none, 1 未办结, 2 承办单位办理中: [`group_code`], the SQL of `StatusGroup::contains`).
///
/// `($n IS NULL OR col = $n)` keeps one static statement for every combination, but no
/// planner can pick an index from it; so each statement below adds one *driver*, a condition
/// those filters already imply (it never changes the result) that an index answers: the
/// actor's scope, the enterprise, the lead unit, an open status or the running deadline.
/// [`ListDriver::pick`] chooses the most selective one the request has.
///
/// The search matches title or enterprise name as a plain substring (`instr`; PostgreSQL gets
/// an SQL `instr` from migration 0007): faster than `LIKE '%…%'` and nothing in the text
/// is a wildcard.
macro_rules! list_filters {
    () => {
        concat!(
            "($1 IS NULL OR p.status = $1) AND ($2 IS NULL OR p.category = $2) AND ($3 IS NULL OR p.tier = $3) ",
            "AND ($4 IS NULL OR p.lead_unit_id = $4) AND ($5 IS NULL OR p.enterprise_id = $5) ",
            "AND ($6 = 0 OR (p.status NOT IN ('closed', 'withdrawn') AND p.due_on <> '' AND p.due_on < $7)) ",
            "AND ($8 = 0 OR (p.status NOT IN ('closed', 'withdrawn') AND p.due_on >= $7 AND p.due_on <= $9)) ",
            "AND ($10 IS NULL OR instr(p.title, $10) > 0 ",
            "OR p.enterprise_id IN (SELECT se.id FROM enterprises se WHERE instr(se.name, $10) > 0)) ",
            "AND ($11 IS NULL OR p.submitted_on >= $11) AND ($12 IS NULL OR p.submitted_on <= $12) ",
            "AND ($13 = 0 OR ($13 = 1 AND p.status NOT IN ('closed', 'withdrawn')) ",
            "OR ($13 = 2 AND p.status IN ('assigned', 'in_progress'))) "
        )
    };
}

/// Problems a scoped actor may see ($14 own enterprise, $15 own unit as 主办 or 协办, $16 own
/// user as 企服责任人), as a union of index lookups.
macro_rules! scope_driver {
    () => {
        concat!(
            "AND p.id IN (SELECT id FROM problems WHERE enterprise_id = $14 ",
            "UNION SELECT id FROM problems WHERE lead_unit_id = $15 ",
            "UNION SELECT problem_id FROM problem_support_units WHERE unit_id = $15 ",
            "UNION SELECT sp.id FROM problem_service_contacts sc JOIN problems sp ON sp.enterprise_id = sc.enterprise_id ",
            "WHERE sc.user_id = $16) "
        )
    };
}

macro_rules! list_head {
    () => {
        concat!(
            "SELECT p.id, p.title, p.category, p.status, p.tier, p.enterprise_id, e.name AS enterprise_name, ",
            "p.lead_unit_id, COALESCE(lu.name, '') AS lead_unit_name, p.submitted_on, p.due_on, p.extension_pending, p.urge_count ",
            "FROM problems p JOIN enterprises e ON e.id = p.enterprise_id LEFT JOIN units lu ON lu.id = p.lead_unit_id WHERE ",
            list_filters!()
        )
    };
}

macro_rules! count_head {
    () => {
        concat!("SELECT COUNT(*) FROM problems p WHERE ", list_filters!())
    };
}

/// Above this many matches a list driven by an open-problem index pages through the primary
/// key instead (a page then needs about limit × table ÷ matches rows, fewer than sorting).
const DENSE_LIST: i64 = 2000;

/// Which index a list request is driven by (see `list_filters!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListDriver {
    /// Newest first through the primary key; stops after a page when most rows match.
    Scan,
    Scope,
    Enterprise,
    Unit,
    Near,
    OpenStatus,
    Overdue,
}

impl ListDriver {
    fn pick(scoped: bool, f: &ProblemFilter) -> ListDriver {
        if scoped {
            ListDriver::Scope
        } else if f.enterprise_id.is_some() {
            ListDriver::Enterprise
        } else if f.unit_id.is_some() {
            ListDriver::Unit
        } else if f.near {
            ListDriver::Near
        } else if f.status.is_some_and(Status::is_open) {
            ListDriver::OpenStatus
        } else if f.overdue {
            ListDriver::Overdue
        } else {
            ListDriver::Scan
        }
    }

    /// The page statement; scoped ones bind $14..$16, then limit and offset follow.
    fn list_sql(self) -> &'static str {
        match self {
            ListDriver::Scan => concat!(list_head!(), "ORDER BY p.id DESC LIMIT $14 OFFSET $15"),
            ListDriver::Scope => concat!(
                list_head!(),
                scope_driver!(),
                "ORDER BY p.id DESC LIMIT $17 OFFSET $18"
            ),
            ListDriver::Enterprise => concat!(
                list_head!(),
                "AND p.enterprise_id = $5 ORDER BY p.id DESC LIMIT $14 OFFSET $15"
            ),
            ListDriver::Unit => concat!(
                list_head!(),
                "AND p.lead_unit_id = $4 ORDER BY p.id DESC LIMIT $14 OFFSET $15"
            ),
            ListDriver::Near => concat!(
                list_head!(),
                "AND p.status NOT IN ('closed', 'withdrawn') AND p.due_on >= $7 AND p.due_on <= $9 ",
                "ORDER BY p.id DESC LIMIT $14 OFFSET $15"
            ),
            ListDriver::OpenStatus => concat!(
                list_head!(),
                "AND p.status = $1 ORDER BY p.id DESC LIMIT $14 OFFSET $15"
            ),
            ListDriver::Overdue => concat!(
                list_head!(),
                "AND p.status NOT IN ('closed', 'withdrawn') AND p.due_on > '' AND p.due_on < $7 ",
                "ORDER BY p.id DESC LIMIT $14 OFFSET $15"
            ),
        }
    }

    fn count_sql(self) -> &'static str {
        match self {
            ListDriver::Scan => count_head!(),
            ListDriver::Scope => concat!(count_head!(), scope_driver!()),
            ListDriver::Enterprise => concat!(count_head!(), "AND p.enterprise_id = $5"),
            ListDriver::Unit => concat!(count_head!(), "AND p.lead_unit_id = $4"),
            ListDriver::Near => concat!(
                count_head!(),
                "AND p.status NOT IN ('closed', 'withdrawn') AND p.due_on >= $7 AND p.due_on <= $9"
            ),
            ListDriver::OpenStatus => concat!(count_head!(), "AND p.status = $1"),
            ListDriver::Overdue => concat!(
                count_head!(),
                "AND p.status NOT IN ('closed', 'withdrawn') AND p.due_on > '' AND p.due_on < $7"
            ),
        }
    }
}

/// The list statement's code of a status group ($13): 0 for none. The statement's SQL for each
/// code is the rule of [`StatusGroup::contains`] (the list-driver test holds the two equal).
fn group_code(group: Option<StatusGroup>) -> i64 {
    match group {
        None => 0,
        Some(StatusGroup::Open) => 1,
        Some(StatusGroup::Handling) => 2,
    }
}

impl ProblemFilter {
    /// Problems in one status, every other filter off.
    pub fn in_status(status: Status) -> ProblemFilter {
        ProblemFilter {
            status: Some(status),
            ..Default::default()
        }
    }

    /// 已超期: open problems past their running deadline, every other filter off.
    pub fn overdue() -> ProblemFilter {
        ProblemFilter {
            overdue: true,
            ..Default::default()
        }
    }

    /// No filter at all (the count is then the table's row count).
    fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.group.is_none()
            && self.category.is_none()
            && self.tier.is_none()
            && self.unit_id.is_none()
            && self.enterprise_id.is_none()
            && !self.overdue
            && !self.near
            && self.q.as_deref().is_none_or(|q| q.trim().is_empty())
            && self.from.is_none()
            && self.to.is_none()
    }
}

impl Store {
    /// Problems the actor may see, newest first, with the total matching count.
    pub async fn list_problems(
        &self,
        actor: &Actor,
        f: &ProblemFilter,
        today: Date,
    ) -> Result<(Vec<ProblemRow>, i64)> {
        let cal = self.work_calendar().await?;
        // 临期 is `DeadlineFlag::of`'s near, at most one working day left: due before the
        // second working day, so a day off after the next working day is near too.
        let near_until = cal
            .add_working_days(today, 2)
            .and_then(Date::previous_day)
            .unwrap_or(today);
        let limit = if f.limit <= 0 { 50 } else { f.limit.min(500) };
        let scoped = !actor.reads_all();
        let own_enterprise = crate::own_enterprise(actor);
        let own_unit = crate::own_unit(actor);
        let contact = if actor.user_id == 0 {
            -1
        } else {
            actor.user_id
        };
        let q =
            f.q.as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
        let mut driver = ListDriver::pick(scoped, f);
        macro_rules! bind_filters {
            ($query:expr) => {{
                let query = $query
                    .bind(opt_str(f.status, Status::as_str))
                    .bind(opt_str(f.category, Category::as_str))
                    .bind(opt_str(f.tier, Tier::as_str))
                    .bind(f.unit_id)
                    .bind(f.enterprise_id)
                    .bind(i64::from(f.overdue))
                    .bind(iso(today))
                    .bind(i64::from(f.near))
                    .bind(iso(near_until))
                    .bind(q.clone())
                    .bind(f.from.clone())
                    .bind(f.to.clone())
                    .bind(group_code(f.group));
                if scoped {
                    query.bind(own_enterprise).bind(own_unit).bind(contact)
                } else {
                    query
                }
            }};
        }
        // On PostgreSQL these run as unnamed statements, planned for each request's own
        // parameters: a prepared statement switches to a generic plan after five runs, and the
        // generic plan of one unit's overdue list took 10.7 s instead of 130 ms (100k bench).
        let keep_plan = self.engine() != crate::Engine::Postgres;
        // The open-problem indexes answer the count from the index alone; when many match,
        // newest-first through the primary key fills a page sooner than sorting them all.
        let mut counted = None;
        if matches!(
            driver,
            ListDriver::Near | ListDriver::OpenStatus | ListDriver::Overdue
        ) {
            let (n,): (i64,) =
                bind_filters!(sqlx::query_as(driver.count_sql()).persistent(keep_plan))
                    .fetch_one(self.pool())
                    .await?;
            counted = Some(n);
            if n > DENSE_LIST {
                driver = ListDriver::Scan;
            }
        }
        let mut rows =
            bind_filters!(sqlx::query_as::<_, ProblemRow>(driver.list_sql()).persistent(keep_plan))
                .bind(limit)
                .bind(f.offset.max(0))
                .fetch_all(self.pool())
                .await?;
        for r in &mut rows {
            r.due = stored_due(&r.due_on)?;
        }
        // The whole table needs no filter pass; a short first page is the whole set.
        let short = (rows.len() as i64) < limit && (f.offset <= 0 || !rows.is_empty());
        let (total,): (i64,) = if let Some(n) = counted {
            (n,)
        } else if short {
            (f.offset.max(0) + rows.len() as i64,)
        } else if !scoped && f.is_empty() {
            sqlx::query_as("SELECT COUNT(*) FROM problems")
                .fetch_one(self.pool())
                .await?
        } else {
            bind_filters!(sqlx::query_as(driver.count_sql()).persistent(keep_plan))
                .fetch_one(self.pool())
                .await?
        };
        Ok((rows, total))
    }

    /// Refreshes PostgreSQL's planner statistics for the problem tables after a bulk load
    /// (autovacuum does it on its own schedule; until then plans guess). SQLite plans
    /// without statistics, so there it does nothing.
    pub async fn analyze_problems(&self) -> Result<()> {
        if self.engine() == crate::Engine::Postgres {
            for sql in [
                "ANALYZE problems",
                "ANALYZE problem_rate_cells",
                "ANALYZE problem_support_units",
            ] {
                sqlx::query(sql).execute(self.pool()).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qx_core::units::UnitKind;
    use time::macros::date;

    #[tokio::test]
    async fn every_list_driver_returns_what_the_filters_and_scope_select() {
        for db in crate::testing::all().await.unwrap() {
            let s = &db.store;
            let sys = Actor::system();
            let town = unit(s, "石浦镇", UnitKind::Town).await;
            let dept = unit(s, "县国土资源局", UnitKind::Department).await;
            let other = unit(s, "县住建局", UnitKind::Department).await;
            let mut tx = s.begin().await.unwrap();
            let mut ents = Vec::new();
            for (code, name) in [
                ("913302257995213595", "象山海天船舶"),
                ("91330225691361058X", "象山恒通汽配"),
            ] {
                ents.push(enterprise(&mut tx, code, name, town).await);
            }
            let today = date!(2019 - 03 - 13);
            let cal = WorkCalendar::weekends_only();
            for i in 0..120u32 {
                let submitted = today - time::Duration::days(i64::from(i * 5 % 40));
                let status = Status::ALL[i as usize % Status::ALL.len()];
                let d = Deadlines::compute(&cal, submitted, submitted, TimeLimits::default(), 0)
                    .unwrap();
                let seed = ProblemSeed {
                    enterprise_id: ents[(i % 3 / 2) as usize],
                    category: Category::ALL[i as usize % Category::ALL.len()],
                    title: format!("{}难题{i}", if i % 4 == 0 { "用地" } else { "融资" }),
                    status,
                    tier: Tier::ALL[i as usize % Tier::ALL.len()],
                    lead_unit_id: [None, Some(town), Some(dept), Some(other)][i as usize % 4],
                    submitted_on: submitted,
                    deadlines: d,
                    outcome: Outcome::default(),
                };
                let id = insert_problem_row(&mut tx, &seed).await.unwrap();
                if i % 5 == 0 {
                    sqlx::query(
                        "INSERT INTO problem_support_units (problem_id, unit_id) VALUES ($1, $2)",
                    )
                    .bind(id)
                    .bind(dept)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                }
            }
            tx.commit().await.unwrap();
            let user =
                |username: &str, role: Role, unit_id: Option<i64>, enterprise_id: Option<i64>| {
                    crate::users::NewUser {
                        username: username.into(),
                        display_name: username.into(),
                        role,
                        unit_id,
                        enterprise_id,
                        phone: String::new(),
                        password_hash: "x".into(),
                    }
                };
            let contact_id = s
                .create_user(&sys, &user("fw", Role::Unit, Some(other), None))
                .await
                .unwrap();
            s.set_service_contact(&sys, ents[1], Some(contact_id))
                .await
                .unwrap();
            let as_actor = |user_id: i64,
                            role: Role,
                            unit_id: Option<i64>,
                            enterprise_id: Option<i64>| Actor {
                user_id,
                username: format!("u{user_id}"),
                role,
                unit_id,
                enterprise_id,
                ip: String::new(),
            };
            let actors = [
                as_actor(900, Role::Leader, None, None),
                as_actor(901, Role::Unit, Some(dept), None),
                as_actor(contact_id, Role::Unit, Some(other), None),
                as_actor(902, Role::Enterprise, None, Some(ents[0])),
            ];
            // Everything a filter looks at, to evaluate the filters here.
            type Line = (
                i64,
                String,
                String,
                String,
                Option<i64>,
                i64,
                String,
                String,
                String,
                String,
            );
            let lines: Vec<Line> = sqlx::query_as(
                "SELECT p.id, p.status, p.category, p.tier, p.lead_unit_id, p.enterprise_id, p.due_on, p.title,
                    e.name, p.submitted_on FROM problems p JOIN enterprises e ON e.id = p.enterprise_id",
            )
            .fetch_all(s.pool())
            .await
            .unwrap();
            let support: Vec<(i64,)> =
                sqlx::query_as("SELECT problem_id FROM problem_support_units WHERE unit_id = $1")
                    .bind(dept)
                    .fetch_all(s.pool())
                    .await
                    .unwrap();
            let near_until = iso(s
                .work_calendar()
                .await
                .unwrap()
                .add_working_days(today, 2)
                .and_then(Date::previous_day)
                .unwrap());
            let today_s = iso(today);
            let filters = [
                ProblemFilter::default(),
                ProblemFilter {
                    status: Some(Status::InProgress),
                    ..Default::default()
                },
                ProblemFilter {
                    status: Some(Status::Closed),
                    category: Some(Category::Land),
                    ..Default::default()
                },
                ProblemFilter {
                    tier: Some(Tier::Department),
                    from: Some("2019-02-20".into()),
                    ..Default::default()
                },
                ProblemFilter {
                    unit_id: Some(dept),
                    ..Default::default()
                },
                ProblemFilter {
                    unit_id: Some(town),
                    status: Some(Status::Submitted),
                    ..Default::default()
                },
                ProblemFilter {
                    enterprise_id: Some(ents[1]),
                    ..Default::default()
                },
                ProblemFilter {
                    overdue: true,
                    ..Default::default()
                },
                ProblemFilter {
                    overdue: true,
                    category: Some(Category::Finance),
                    ..Default::default()
                },
                ProblemFilter {
                    near: true,
                    ..Default::default()
                },
                ProblemFilter {
                    q: Some("用地".into()),
                    ..Default::default()
                },
                ProblemFilter {
                    q: Some("恒通".into()),
                    to: Some("2019-03-01".into()),
                    ..Default::default()
                },
                ProblemFilter {
                    q: Some("%".into()),
                    ..Default::default()
                },
                ProblemFilter {
                    group: Some(StatusGroup::Open),
                    ..Default::default()
                },
                ProblemFilter {
                    group: Some(StatusGroup::Handling),
                    ..Default::default()
                },
                ProblemFilter {
                    group: Some(StatusGroup::Handling),
                    overdue: true,
                    ..Default::default()
                },
                ProblemFilter {
                    group: Some(StatusGroup::Handling),
                    unit_id: Some(dept),
                    ..Default::default()
                },
                ProblemFilter {
                    group: Some(StatusGroup::Open),
                    tier: Some(Tier::Meeting),
                    ..Default::default()
                },
                ProblemFilter {
                    group: Some(StatusGroup::Open),
                    status: Some(Status::Closed),
                    ..Default::default()
                },
                ProblemFilter {
                    group: Some(StatusGroup::Open),
                    unit_id: Some(dept),
                    q: Some("融资".into()),
                    ..Default::default()
                },
            ];
            for a in &actors {
                for f in &filters {
                    let mut expect: Vec<i64> = lines
                        .iter()
                        .filter(|l| {
                            let (id, status, category, tier, lead, ent, due, title, ename, sub) = l;
                            let scope = a.reads_all()
                                || (a.role == Role::Enterprise && a.enterprise_id == Some(*ent))
                                || (a.role == Role::Unit
                                    && a.unit_id.is_some()
                                    && *lead == a.unit_id)
                                || (a.role == Role::Unit
                                    && a.unit_id == Some(dept)
                                    && support.contains(&(*id,)))
                                || (a.user_id == contact_id && *ent == ents[1]);
                            let open = status != "closed" && status != "withdrawn";
                            scope
                                && f.status.is_none_or(|x| x.as_str() == status)
                                && f.group
                                    .is_none_or(|g| g.contains(Status::parse(status).unwrap()))
                                && f.category.is_none_or(|x| x.as_str() == category)
                                && f.tier.is_none_or(|x| x.as_str() == tier)
                                && f.unit_id.is_none_or(|x| Some(x) == *lead)
                                && f.enterprise_id.is_none_or(|x| x == *ent)
                                && (!f.overdue || (open && !due.is_empty() && *due < today_s))
                                && (!f.near || (open && *due >= today_s && *due <= near_until))
                                && f.q.as_ref().is_none_or(|q| {
                                    title.contains(q.as_str()) || ename.contains(q.as_str())
                                })
                                && f.from.as_ref().is_none_or(|x| sub >= x)
                                && f.to.as_ref().is_none_or(|x| sub <= x)
                        })
                        .map(|l| l.0)
                        .collect();
                    expect.sort_unstable_by(|x, y| y.cmp(x));
                    for (limit, offset) in [(50, 0), (7, 0), (7, 14), (5, 1000)] {
                        let page = ProblemFilter {
                            limit,
                            offset,
                            ..f.clone()
                        };
                        let (rows, total) = s.list_problems(a, &page, today).await.unwrap();
                        let got: Vec<i64> = rows.iter().map(|r| r.id).collect();
                        let want: Vec<i64> = expect
                            .iter()
                            .copied()
                            .skip(offset as usize)
                            .take(limit as usize)
                            .collect();
                        assert_eq!(
                            got, want,
                            "{} {:?} {f:?} limit {limit} offset {offset}",
                            db.name, a.role
                        );
                        assert_eq!(
                            total,
                            expect.len() as i64,
                            "{} {:?} {f:?} offset {offset}",
                            db.name,
                            a.role
                        );
                    }
                }
            }
        }
    }
}
