//! `qx demo`, `qx serve`, `qx migrate`, `qx user …`, `qx backup`, `qx audit …` (verify,
//! checkpoint, key init): running and maintaining an installation.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use qx_core::access::{Actor, Role, check_password_strength};
use qx_core::label::{Labelled, Lang};
use qx_core::password;
use qx_store::Store;
use qx_store::audit_anchor::{
    AuditKey, Checkpoint, append_checkpoint, read_checkpoints, refuse_inside,
};
use qx_store::users::NewUser;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Where the data lives: an embedded database in a folder, or a PostgreSQL URL.
#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Folder of the embedded SQLite database (qx.db)
    #[arg(long, default_value = "qx-data", env = "QX_DATA_DIR")]
    pub data_dir: PathBuf,
    /// PostgreSQL (or sqlite://) URL; overrides --data-dir
    #[arg(long, env = "QX_DATABASE_URL")]
    pub database: Option<String>,
}

impl DbArgs {
    pub fn url(&self) -> String {
        self.database.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("qx.db").display()
            )
        })
    }

    pub async fn open(&self) -> anyhow::Result<Store> {
        let store = match &self.database {
            Some(url) => Store::connect(url).await,
            None => Store::open_data_dir(&self.data_dir).await,
        }
        .with_context(|| format!("无法打开数据库 {}", self.describe()))?;
        Ok(store)
    }

    /// Opens and brings the schema up to date.
    pub async fn open_migrated(&self) -> anyhow::Result<Store> {
        let store = self.open().await?;
        store
            .migrate()
            .await
            .context("数据库迁移失败 (migration failed)")?;
        Ok(store)
    }

    fn describe(&self) -> String {
        match &self.database {
            Some(url) => redact(url),
            None => self.data_dir.display().to_string(),
        }
    }
}

/// Hides the password in a database URL for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080", env = "QX_LISTEN")]
    pub listen: String,
    /// Mark cookies Secure (set when served over HTTPS, e.g. behind a TLS proxy)
    #[arg(long, env = "QX_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Minutes of inactivity that end a session (等保: 30 for level 2, 15 for level 3)
    #[arg(long, default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// Hours after signing in at which a session ends however busy it is
    #[arg(long, default_value_t = 12)]
    pub session_max_hours: i64,
    /// Failed sign-ins one client address may make in 15 minutes before it must wait (an office
    /// behind one NAT address shares it)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..))]
    pub max_address_failures: i64,
    /// A reverse proxy (address or CIDR, repeatable) whose X-Forwarded-For names the client;
    /// from any other peer the header is ignored
    #[arg(long = "trusted-proxy", value_name = "ADDR", env = "QX_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Sign a checkpoint of the audit chain's head into --audit-checkpoints when it moves
    /// (at most once a minute, and at shutdown)
    #[command(flatten)]
    pub anchor: AnchorArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
}

/// The demo clock: a demonstration or a training copy can live on another day.
#[derive(Args, Debug, Clone, Default)]
pub struct ClockArgs {
    /// Live on this day (YYYY-MM-DD, China time) instead of the real one: deadlines,
    /// reminders, overdue marks and new records all count from it; the time of day keeps running
    #[arg(long, value_name = "DATE", value_parser = parse_today)]
    pub today: Option<qx_core::time::Date>,
}

impl ClockArgs {
    /// Sets the process's clock; call before anything reads it.
    pub fn apply(&self) -> anyhow::Result<()> {
        if let Some(day) = self.today {
            qx_core::time::set_today(day)?;
            eprintln!(
                "演示时钟: 今天是 {} (the clock is set to this day)",
                qx_core::time::format_date(day)
            );
        }
        Ok(())
    }
}

fn parse_today(s: &str) -> Result<qx_core::time::Date, String> {
    qx_core::time::parse_date(s).ok_or_else(|| {
        format!("--today: \"{s}\" 不是日期, 应写作 2017-12-05 (not a YYYY-MM-DD date)")
    })
}

/// `10.0.0.1` or `10.0.0.0/8`.
fn parse_proxy(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("不是IP地址或网段 (not an IP address or CIDR): {s:?}"))
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Folder for the demo database
    #[arg(long, default_value = "qx-demo")]
    pub data_dir: PathBuf,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Seed of the generated county (the same seed gives the same county)
    #[arg(long, default_value_t = 2017)]
    pub seed: u64,
    /// Create the data and exit without serving
    #[arg(long)]
    pub no_serve: bool,
    #[command(flatten)]
    pub clock: ClockArgs,
}

fn web_config(args: &ServeArgs) -> qx_web::Config {
    qx_web::Config {
        secure_cookies: args.secure_cookies,
        session_idle_secs: args.session_idle_minutes.max(1) * 60,
        session_max_secs: args.session_max_hours.max(1) * 3600,
        trusted_proxies: args.trusted_proxies.clone(),
        max_address_failures: args.max_address_failures,
        ..qx_web::Config::default()
    }
}

async fn listen_and_serve(
    store: Store,
    config: qx_web::Config,
    listen: &str,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| {
            format!("无法监听 {listen} (address in use? try --listen 127.0.0.1:8081)")
        })?;
    let addr = listener.local_addr()?;
    eprintln!("强县 Qiangxian 已启动: http://{addr}/  (Ctrl-C 退出)");
    spawn_deadline_sweeper(store.clone());
    spawn_housekeeping(store.clone(), &config);
    qx_web::webhook::spawn_worker(store.clone());
    let state = qx_web::AppState {
        store,
        config: Arc::new(config),
        picture_cache: Default::default(),
        rendered_dashboards: Default::default(),
        jobs: Default::default(),
    };
    qx_web::serve(state, listener).await
}

/// Every ten minutes: recompute open problems' working-day deadlines, warn about near and
/// overdue ones, escalate what is past due, raise the 企业培育库's stalled and expiring
/// reminders and the projects' alerts, and forward the notices to the webhook. With
/// several app servers each runs it; the sweep is idempotent (a notice is posted once per due date).
fn spawn_deadline_sweeper(store: Store) {
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(600);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            match store.sweep_problem_deadlines(qx_core::time::today()).await {
                Ok(report) => qx_web::webhook::dispatch_notices(store.clone(), report.notices),
                Err(e) => tracing::warn!("deadline sweep failed: {e}"),
            }
            match store.sweep_meetings(qx_core::time::today()).await {
                Ok(report) => qx_web::webhook::dispatch_notices(store.clone(), report.notices),
                Err(e) => tracing::warn!("督办 sweep failed: {e}"),
            }
            match store
                .sweep_cultivation_reminders(qx_core::time::today())
                .await
            {
                Ok(notices) => qx_web::webhook::dispatch_notices(store.clone(), notices),
                Err(e) => tracing::warn!("cultivation reminder sweep failed: {e}"),
            }
            match store.sweep_project_alerts(qx_core::time::today()).await {
                Ok(report) => qx_web::webhook::dispatch_notices(store.clone(), report.notices),
                Err(e) => tracing::warn!("project alert sweep failed: {e}"),
            }
        }
    });
}

/// Every ten minutes: forget ended sessions (idle, or past their absolute lifetime) and
/// failed-login counts of windows that are over.
fn spawn_housekeeping(store: Store, config: &qx_web::Config) {
    let (idle, max, window) = (
        config.session_idle_secs,
        config.session_max_secs,
        config.address_window_secs,
    );
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            let now = qx_store::now();
            if let Err(e) = store.purge_expired_sessions(now - idle, now - max).await {
                tracing::warn!("purging ended sessions failed: {e}");
            }
            if let Err(e) = store.purge_login_throttle(now - window).await {
                tracing::warn!("purging failed-login counts failed: {e}");
            }
        }
    });
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    args.clock.apply()?;
    let anchor = args.anchor.load(Some(&args.db))?;
    let store = args.db.open_migrated().await?;
    if store.count_users().await? == 0 {
        eprintln!(
            "提示: 数据库中还没有用户。先运行 `qx migrate --seed-registry` 登记单位, 再用 `qx user add --role admin …` 创建办公室账户。"
        );
    }
    let checkpointer = match anchor {
        Some(a) => Some(Arc::new(Checkpointer::new(store.clone(), a)?)),
        None => None,
    };
    let task = checkpointer.clone().map(spawn_checkpointer);
    let served = listen_and_serve(store.clone(), web_config(&args), &args.listen).await;
    let last_checkpoint = match (checkpointer, task) {
        (Some(c), Some(task)) => {
            task.abort();
            c.checkpoint_if_moved().await.map(|_| ())
        }
        _ => Ok(()),
    };
    store.close().await;
    served?;
    last_checkpoint.context("退出时写审计检查点失败 (the checkpoint at shutdown failed)")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    args.clock.apply()?;
    let db = DbArgs {
        data_dir: args.data_dir.clone(),
        database: None,
    };
    let store = db.open_migrated().await?;
    if store.get_setting(qx_demo::DEMO_MARKER).await?.is_none() {
        let password = std::env::var("QX_DEMO_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty());
        if let Some(p) = &password {
            check_password_strength(p).map_err(|m| anyhow::anyhow!("QX_DEMO_PASSWORD: {m}"))?;
        }
        eprintln!("正在生成演示县 (象山县) 数据 … (generating the demo county)");
        let opts = qx_demo::DemoOptions {
            seed: args.seed,
            password,
        };
        let accounts = qx_demo::seed(&store, &opts).await?;
        let file = args.data_dir.join("demo-accounts.txt");
        write_accounts(&file, &accounts)?;
        print_accounts(&accounts, &file);
    } else {
        eprintln!(
            "使用已有演示数据 {} (reusing the demo data; accounts are listed in {})",
            args.data_dir.display(),
            args.data_dir.join("demo-accounts.txt").display()
        );
    }
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    let served = listen_and_serve(store.clone(), qx_web::Config::default(), &args.listen).await;
    store.close().await;
    served?;
    Ok(ExitCode::SUCCESS)
}

fn write_accounts(path: &Path, accounts: &[qx_demo::DemoAccount]) -> anyhow::Result<()> {
    let mut out = String::from("# 强县演示账户 (demo accounts): 用户名\t密码\t角色\t姓名\t所属\n");
    for a in accounts {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            a.username,
            a.password,
            a.role.label(Lang::Zh),
            a.display_name,
            a.belongs_to
        ));
    }
    let mut f = open_private(path)?;
    f.write_all(out.as_bytes())?;
    Ok(())
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

fn print_accounts(accounts: &[qx_demo::DemoAccount], file: &Path) {
    println!("演示账户 (demo accounts):");
    // One of each role: the office, a leader, a department, a town, an enterprise.
    for a in accounts {
        if matches!(
            a.username.as_str(),
            "admin" | "leader" | "jxj1" | "sp1" | "qy01"
        ) {
            println!(
                "  {:<8} {:<10} {:<16} {} · {}",
                a.role.label(Lang::Zh),
                a.username,
                a.password,
                a.display_name,
                a.belongs_to
            );
        }
    }
    println!(
        "全部 {} 个账户见 {} (all accounts)",
        accounts.len(),
        file.display()
    );
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Also load the built-in unit registry (象山县) and official holiday calendars into an empty database
    #[arg(long)]
    pub seed_registry: bool,
}

pub async fn migrate(args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open().await?;
    let applied = store.migrate().await?;
    eprintln!(
        "数据库结构版本 {} (applied: {:?})",
        store.schema_version().await?,
        applied
    );
    if args.seed_registry {
        if store.list_units().await?.is_empty() {
            let units = qx_demo::registry::seed_registry(&store).await?;
            let days = qx_demo::registry::seed_calendar(&store).await?;
            eprintln!("已登记 {} 个单位, {} 个节假日/调休日", units.len(), days);
        } else {
            eprintln!("单位登记表非空, 未重复载入 (registry not empty; nothing loaded)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account
    Add(UserAddArgs),
    /// Set a new password (read from stdin, or generated and printed)
    Passwd(UserNameArgs),
    /// Lock an account until unlocked
    Lock(UserNameArgs),
    /// Unlock an account (also clears a failed-login lockout)
    Unlock(UserNameArgs),
    /// List accounts
    List(UserListArgs),
}

#[derive(Args, Debug)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Login name
    pub username: String,
    /// Person's name
    #[arg(long)]
    pub name: String,
    /// admin | leader | unit | enterprise
    #[arg(long)]
    pub role: String,
    /// The unit (short name, full name or alias); required except for enterprise users
    #[arg(long)]
    pub unit: Option<String>,
    /// The enterprise's 统一社会信用代码 (enterprise users)
    #[arg(long)]
    pub enterprise: Option<String>,
    /// Read the password from the first line of stdin instead of generating one
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Args, Debug)]
pub struct UserNameArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub username: String,
    /// Read the password from the first line of stdin instead of generating one
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Args, Debug)]
pub struct UserListArgs {
    #[command(flatten)]
    pub db: DbArgs,
}

/// A password from stdin (checked against the rules) or a generated one (printed).
fn obtain_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let p = line.trim_end_matches(['\r', '\n']).to_string();
        check_password_strength(&p).map_err(|m| anyhow::anyhow!("{m}"))?;
        Ok((p, false))
    } else {
        Ok((password::random_secret()[..14].to_string() + "Q!", true))
    }
}

pub async fn user(cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let system = Actor::system();
    match cmd {
        UserCommand::Add(a) => {
            let store = a.db.open_migrated().await?;
            let role = Role::parse(&a.role).with_context(|| {
                format!("角色 {:?} 无效: admin | leader | unit | enterprise", a.role)
            })?;
            let unit_id = match &a.unit {
                Some(name) => Some(
                    store
                        .resolve_unit(name)
                        .await?
                        .with_context(|| format!("找不到单位 {name:?}"))?
                        .id,
                ),
                None => None,
            };
            let enterprise_id = match &a.enterprise {
                Some(code) => {
                    let list = store.list_enterprises(&system).await?;
                    Some(
                        list.iter()
                            .find(|e| e.credit_code == *code)
                            .with_context(|| format!("找不到企业 {code}"))?
                            .id,
                    )
                }
                None => None,
            };
            let (pw, generated) = obtain_password(a.password_stdin)?;
            let user = NewUser {
                username: a.username.clone(),
                display_name: a.name,
                role,
                unit_id,
                enterprise_id,
                phone: String::new(),
                password_hash: password::hash_password(&pw)?,
            };
            let id = store.create_user(&system, &user).await?;
            eprintln!("已创建用户 {} (id {id})", a.username);
            if generated {
                println!("{pw}");
            }
        }
        UserCommand::Passwd(a) => {
            let store = a.db.open_migrated().await?;
            let u = find(&store, &a.username).await?;
            let (pw, generated) = obtain_password(a.password_stdin)?;
            store
                .set_password(&system, u, &password::hash_password(&pw)?, None)
                .await?;
            eprintln!("已重置 {} 的密码", a.username);
            if generated {
                println!("{pw}");
            }
        }
        UserCommand::Lock(a) => {
            let store = a.db.open_migrated().await?;
            let u = find(&store, &a.username).await?;
            store.set_user_locked(&system, u, true).await?;
            eprintln!("已锁定 {}", a.username);
        }
        UserCommand::Unlock(a) => {
            let store = a.db.open_migrated().await?;
            let u = find(&store, &a.username).await?;
            store.set_user_locked(&system, u, false).await?;
            eprintln!("已解锁 {}", a.username);
        }
        UserCommand::List(a) => {
            let store = a.db.open_migrated().await?;
            let units = store.unit_names().await?;
            for u in store.list_users(&system).await? {
                let unit = u
                    .profile
                    .unit_id
                    .and_then(|id| units.get(&id).cloned())
                    .unwrap_or_default();
                let locked = if u.locked_until.is_some_and(|t| t > qx_store::now()) {
                    "已锁定"
                } else {
                    ""
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.username,
                    u.profile.display_name,
                    u.profile.role.label(Lang::Zh),
                    unit,
                    locked
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn find(store: &Store, username: &str) -> anyhow::Result<i64> {
    match store.find_user_by_username(username).await? {
        Some(u) => Ok(u.id),
        None => bail!("找不到用户 {username:?}"),
    }
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Where to write the copy (must not exist)
    #[arg(long)]
    pub out: PathBuf,
    /// With --audit-key: print the audit chain's signed checkpoint, to keep beside the copy
    #[command(flatten)]
    pub anchor: AnchorArgs,
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let anchor = args.anchor.load(Some(&args.db))?;
    let store = args.db.open().await?;
    // Taken before the copy: the copy holds this head (and perhaps later entries), so the
    // checkpoint verifies against the copy once it is restored.
    let checkpoint = match &anchor {
        Some(a) => Some(store.audit_checkpoint(&a.key).await?),
        None => None,
    };
    store.backup_to(&args.out, &args.db.url()).await?;
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    eprintln!("已备份到 {} ({} KB)", args.out.display(), size / 1024);
    match (checkpoint, anchor) {
        (Some(cp), Some(a)) => {
            if let Some(file) = &a.checkpoints {
                append_checkpoint(file, &cp)?;
            }
            println!("{cp}");
            eprintln!(
                "审计检查点 (第 {} 条) 见上一行: 请与备份文件一起保存 (keep this checkpoint line beside the backup)",
                cp.seq
            );
        }
        _ => eprintln!(
            "提示: 未给出 --audit-key, 备份没有附带审计检查点 (no audit key: the backup carries no checkpoint)"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the audit chain's anchors live: the key that signs checkpoints and the file they are
/// appended to, both outside the data directory (see `qx_store::audit_anchor`).
#[derive(Args, Debug, Clone, Default)]
pub struct AnchorArgs {
    /// Key file that signs audit checkpoints (made by `qx audit key init`; keep it outside
    /// the data directory and the backups)
    #[arg(long, env = "QX_AUDIT_KEY_FILE")]
    pub audit_key: Option<PathBuf>,
    /// File that signed checkpoints of the audit chain's head are appended to (another disk
    /// or host)
    #[arg(long, env = "QX_AUDIT_CHECKPOINTS")]
    pub audit_checkpoints: Option<PathBuf>,
}

/// A loaded key and, if given, the checkpoint file.
struct Anchor {
    key: AuditKey,
    checkpoints: Option<PathBuf>,
}

impl Anchor {
    fn checkpoint_file(&self) -> anyhow::Result<&Path> {
        self.checkpoints.as_deref().context(
            "需要检查点文件 --audit-checkpoints FILE (或环境变量 QX_AUDIT_CHECKPOINTS) (the checkpoint file is required)",
        )
    }
}

impl AnchorArgs {
    /// The key (and checkpoint file). Those that sign and write refuse them inside the data
    /// directory (`db`), where whoever can write the database could rewrite them too; verify
    /// reads them from anywhere (a restored copy's line may sit beside it).
    fn load(&self, db: Option<&DbArgs>) -> anyhow::Result<Option<Anchor>> {
        let key_path = match (&self.audit_key, &self.audit_checkpoints) {
            (None, None) => return Ok(None),
            (None, Some(_)) => bail!(
                "给出了 --audit-checkpoints 却没有 --audit-key: 检查点须用密钥签名和校验 (checkpoints need the key file)"
            ),
            (Some(key), _) => key,
        };
        if let Some(dir) = db.and_then(data_location) {
            refuse_inside(key_path, &dir, "审计密钥文件")?;
            if let Some(file) = &self.audit_checkpoints {
                refuse_inside(file, &dir, "检查点文件")?;
            }
        }
        Ok(Some(Anchor {
            key: AuditKey::load(key_path)?,
            checkpoints: self.audit_checkpoints.clone(),
        }))
    }
}

/// The folder of a local SQLite database (where its files and anything beside them live).
fn data_location(db: &DbArgs) -> Option<PathBuf> {
    let Some(url) = &db.database else {
        return Some(db.data_dir.clone());
    };
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = Path::new(path.split('?').next().unwrap_or(path));
    Some(match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    })
}

/// `qx serve`'s checkpoints: a line whenever the head has moved, checked once a minute and
/// once more at shutdown.
struct Checkpointer {
    store: Store,
    key: AuditKey,
    file: PathBuf,
    /// The head of the newest line written (or found in the file at start).
    last: tokio::sync::Mutex<Option<(i64, String)>>,
}

impl Checkpointer {
    fn new(store: Store, anchor: Anchor) -> anyhow::Result<Self> {
        let file = anchor.checkpoint_file()?.to_path_buf();
        // A restart on an unchanged database adds no line.
        let last = if file.exists() {
            read_checkpoints(&file)?
                .into_iter()
                .rev()
                .filter_map(|l| l.parsed.ok())
                .find(|cp| cp.verify(&anchor.key))
                .map(|cp| (cp.seq, cp.hash))
        } else {
            None
        };
        Ok(Checkpointer {
            store,
            key: anchor.key,
            file,
            last: tokio::sync::Mutex::new(last),
        })
    }

    async fn checkpoint_if_moved(&self) -> anyhow::Result<()> {
        let mut last = self.last.lock().await;
        let head = self.store.change_stamp().await?;
        if last.as_ref() == Some(&head) {
            return Ok(());
        }
        let cp = Checkpoint::sign(&self.key, head.0, &head.1, qx_store::now())?;
        // A short synchronous append and fsync, at most once a minute. Nothing is awaited
        // between writing the line and recording it, so a cancelled task never repeats one.
        append_checkpoint(&self.file, &cp)?;
        tracing::info!("审计检查点 (audit checkpoint) {cp}");
        *last = Some(head);
        Ok(())
    }
}

fn spawn_checkpointer(c: Arc<Checkpointer>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = c.checkpoint_if_moved().await {
                tracing::error!("审计检查点写入失败 (audit checkpoint failed): {e:#}");
            }
        }
    })
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute the audit log's hash chain and check it against signed checkpoints
    Verify(AuditArgs),
    /// Sign a checkpoint of the chain's head now and append it to the checkpoint file
    Checkpoint(AuditArgs),
    /// The key that signs checkpoints
    #[command(subcommand)]
    Key(AuditKeyCommand),
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub anchor: AnchorArgs,
}

#[derive(Subcommand, Debug)]
pub enum AuditKeyCommand {
    /// Create a random key file (mode 0600) outside the data directory
    Init(AuditKeyInitArgs),
}

#[derive(Args, Debug)]
pub struct AuditKeyInitArgs {
    /// The data directory (or database) the key must stay out of
    #[command(flatten)]
    pub db: DbArgs,
    /// Where to write the key, e.g. /etc/qx/audit.key (never overwritten)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Same as --out
    #[arg(long, env = "QX_AUDIT_KEY_FILE")]
    pub audit_key: Option<PathBuf>,
}

/// Findings printed before the rest are summarised.
const FINDINGS_SHOWN: usize = 20;

pub async fn audit(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify(a) => verify(a).await,
        AuditCommand::Checkpoint(a) => {
            let anchor = a.anchor.load(Some(&a.db))?.context(
                "需要审计密钥 --audit-key FILE (或环境变量 QX_AUDIT_KEY_FILE) (the key file is required)",
            )?;
            let file = anchor.checkpoint_file()?;
            let store = a.db.open().await?;
            let cp = store.audit_checkpoint(&anchor.key).await?;
            append_checkpoint(file, &cp)?;
            println!("{cp}");
            eprintln!(
                "已写入审计检查点: 第 {} 条 → {} (checkpoint appended)",
                cp.seq,
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Key(AuditKeyCommand::Init(a)) => {
            let path = a.out.or(a.audit_key).context(
                "需要 --out FILE (或 --audit-key FILE / 环境变量 QX_AUDIT_KEY_FILE) (where to write the key)",
            )?;
            AuditKey::create(&path, data_location(&a.db).as_deref())?;
            eprintln!(
                "已生成审计密钥 {} (权限 0600)。请把它保存在数据目录和备份之外, 仅 root/服务账户可读; 丢失后已有检查点无法校验 (key written; keep it outside the data directory and the backups)",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Exit 0: intact; 2: tampered; errors (usage, files, database) exit 1.
async fn verify(a: AuditArgs) -> anyhow::Result<ExitCode> {
    let anchor = a.anchor.load(None)?;
    let checkpoints = match &anchor {
        Some(anchor) => Some(read_checkpoints(anchor.checkpoint_file()?)?),
        None => None,
    };
    let store = a.db.open().await?;
    let v = store.verify_audit().await?;
    let mut tampered = false;
    match v.first_bad_seq {
        None => println!(
            "审计日志完整: {} 条记录, 哈希链校验通过 (audit chain intact)",
            v.entries
        ),
        Some(seq) => {
            tampered = true;
            println!(
                "审计日志被篡改: 第 {seq} 条起哈希链断裂 — {} (audit chain broken)",
                v.reason.unwrap_or_default()
            );
        }
    }
    let (Some(anchor), Some(lines)) = (anchor, checkpoints) else {
        println!(
            "未锚定: 只校验了库内的哈希链。能写数据库的人可以改写记录并重算整条链, 这种改写只有用 --audit-key 和 --audit-checkpoints 校验检查点才能发现 (not anchored: a database writer can rewrite entries and recompute the chain undetected)"
        );
        return Ok(if tampered {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        });
    };
    let av = store.verify_audit_anchors(&anchor.key, &lines).await?;
    for finding in av.findings.iter().take(FINDINGS_SHOWN) {
        println!("{finding}");
    }
    if av.findings.len() > FINDINGS_SHOWN {
        println!(
            "…… 另有 {} 处不符 (and {} more)",
            av.findings.len() - FINDINGS_SHOWN,
            av.findings.len() - FINDINGS_SHOWN
        );
    }
    if !av.ok() {
        println!(
            "审计日志被篡改: 与检查点不符, 历史被改写或删除 (the log does not match its checkpoints)"
        );
        return Ok(ExitCode::from(2));
    }
    match av.anchored_to {
        Some(seq) => println!(
            "检查点校验通过: {} 个检查点, 第 {seq} 条及以前与检查点一致; 其后 {} 条只受哈希链保护 (anchored up to entry {seq}; later entries are protected by the chain alone)",
            av.checkpoints,
            av.entries - seq
        ),
        None => println!(
            "未锚定: 检查点文件中没有检查点 (not anchored: the checkpoint file holds no checkpoints)"
        ),
    }
    Ok(if tampered {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
