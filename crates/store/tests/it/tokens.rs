//! Service tokens on every engine: only the hash is stored, only the office issues and
//! revokes, a use is audited at most once a minute.

use qx_core::access::{Actor, Role};
use qx_core::token::TokenScope;
use qx_core::units::UnitKind;
use qx_store::testing;
use qx_store::tokens::{NewToken, secret_hash};
use qx_store::units::NewUnit;
use qx_store::users::NewUser;

#[tokio::test]
async fn a_token_is_stored_hashed_issued_by_the_office_and_its_use_audited_once_a_minute() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let office = Actor::system();
        let unit = s
            .create_unit(
                &office,
                &NewUnit {
                    kind: UnitKind::Department,
                    name: "县统计局".into(),
                    full_name: "象山县统计局".into(),
                    region_code: None,
                    parent_id: None,
                    slug: "tjj".into(),
                    aliases: vec![],
                    sort_order: 0,
                },
            )
            .await
            .unwrap();
        let user = s
            .create_user(
                &office,
                &NewUser {
                    username: "tjj-api".into(),
                    display_name: "统计局接口".into(),
                    role: Role::Unit,
                    unit_id: Some(unit),
                    enterprise_id: None,
                    phone: String::new(),
                    password_hash: "x".into(),
                },
            )
            .await
            .unwrap();
        let new = NewToken {
            user_id: user,
            name: "统计局月报".into(),
            scope: TokenScope::Read,
            lifetime_secs: 90 * 86_400,
        };
        let leader = Actor {
            role: Role::Unit,
            user_id: user,
            unit_id: Some(unit),
            ..Actor::system()
        };
        assert_eq!(
            s.create_token(&leader, &new).await.unwrap_err().to_string(),
            "无权访问 (forbidden): 只有办公室可以发放接口令牌"
        );
        assert_eq!(
            s.list_tokens(&leader).await.unwrap_err().to_string(),
            "无权访问 (forbidden): 只有办公室可以查看接口令牌"
        );
        let (id, secret) = s.create_token(&office, &new).await.unwrap();
        assert!(secret.starts_with("qxt_") && secret.len() == 68);
        let stored: (String,) = sqlx::query_as("SELECT secret_hash FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert_eq!(stored.0, secret_hash(&secret));
        assert_ne!(stored.0, secret);
        let found = s.token_user(&secret_hash(&secret)).await.unwrap().unwrap();
        assert_eq!((found.token.id, found.user.id), (id, user));
        assert_eq!(found.token.scope, TokenScope::Read);
        assert!(found.token.is_live(qx_store::now()));

        assert!(
            s.record_token_use(&leader, id, "GET /api/v1/units")
                .await
                .unwrap()
        );
        assert!(
            !s.record_token_use(&leader, id, "GET /api/v1/units")
                .await
                .unwrap()
        );
        assert_eq!(
            testing::audit_entries(s, "token.use").await.unwrap().len(),
            1
        );

        assert_eq!(
            s.revoke_token(&leader, id).await.unwrap_err().to_string(),
            "无权访问 (forbidden): 只有办公室可以吊销接口令牌"
        );
        s.revoke_token(&office, id).await.unwrap();
        assert!(s.revoke_token(&office, id).await.is_err());
        let found = s.token_user(&secret_hash(&secret)).await.unwrap().unwrap();
        assert!(!found.token.is_live(qx_store::now()));
        assert_eq!(testing::audit_entries(s, "token.").await.unwrap().len(), 3);
    }
}
