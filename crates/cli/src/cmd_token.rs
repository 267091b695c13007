//! `qx token`: service tokens for other systems calling `/api/` (接口令牌).

use crate::cmd_system::DbArgs;
use anyhow::Context;
use clap::{Args, Subcommand};
use qx_core::access::Actor;
use qx_core::token::{TokenScope, parse_lifetime};
use qx_store::tokens::NewToken;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Issue a token for an account; the secret is printed once
    Create(CreateArgs),
    /// List tokens (never their secrets)
    List(ListArgs),
    /// Revoke a token at once
    Revoke(RevokeArgs),
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The account the token acts as (a service account)
    #[arg(long)]
    pub user: String,
    /// read | write (write may also POST, PUT and DELETE)
    #[arg(long, default_value = "read")]
    pub scope: String,
    /// Lifetime: 90d, 12h, 30m
    #[arg(long, default_value = "90d")]
    pub expires: String,
    /// A name that says what the token is for
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Args, Debug)]
pub struct RevokeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The token's id (from `qx token list`)
    pub id: i64,
}

pub async fn run(cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    let system = Actor::system();
    match cmd {
        TokenCommand::Create(a) => {
            let store = a.db.open_migrated().await?;
            let scope = TokenScope::parse(&a.scope)
                .ok()
                .with_context(|| format!("权限 {:?} 无效: read | write", a.scope))?;
            let lifetime = parse_lifetime(&a.expires).with_context(|| {
                format!("有效期 {:?} 无效: 如 90d、12h、30m (不超过10年)", a.expires)
            })?;
            let user = store
                .find_user_by_username(&a.user)
                .await?
                .with_context(|| format!("找不到账号 {:?}", a.user))?;
            let name = a.name.unwrap_or_else(|| format!("{} 命令行发放", a.user));
            let (id, secret) = store
                .create_token(
                    &system,
                    &NewToken {
                        user_id: user.id,
                        name,
                        scope,
                        lifetime_secs: lifetime,
                    },
                )
                .await?;
            eprintln!(
                "令牌 {id} 已发放 (账号 {}, {}); 只显示这一次:",
                a.user, scope
            );
            println!("{secret}");
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List(a) => {
            let store = a.db.open_migrated().await?;
            let now = qx_store::now();
            println!("id\tuser\tscope\tprefix\tcreated\texpires\tlast_used\tstate\tname");
            for t in store.list_tokens(&system).await? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.expires_at <= now {
                    "expired"
                } else {
                    "live"
                };
                println!(
                    "{}\t{}\t{}\t{}…\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.username,
                    t.scope,
                    t.prefix,
                    qx_core::time::format_datetime(t.created_at),
                    qx_core::time::format_datetime(t.expires_at),
                    t.last_used_at
                        .map(qx_core::time::format_datetime)
                        .unwrap_or_else(|| "-".into()),
                    state,
                    t.name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke(a) => {
            let store = a.db.open_migrated().await?;
            store.revoke_token(&system, a.id).await?;
            eprintln!("令牌 {} 已吊销", a.id);
            Ok(ExitCode::SUCCESS)
        }
    }
}
