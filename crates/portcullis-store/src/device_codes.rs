//! Device authorizations (RFC 8628): the device's request waiting for the
//! person at the activation page, found by the hash of either code. Approval
//! stores the login's grant as an authorization code under the device code's
//! hash in the same transaction that marks the request approved, so the
//! device redeems it through `redeem_authorization_code`, once.

use portcullis_core::protocol::authorization_code::CodeGrant;
use portcullis_core::protocol::device_code::{DeviceAuthorization, Status};

use crate::{StoreError, StoreResult, TenantStore, encode, with_db, write_db, write_tx};

/// A device authorization to store: its codes only as hashes.
pub struct NewDeviceCode<'a> {
    pub id: &'a str,
    pub device_code_hash: &'a str,
    pub user_code_hash: &'a str,
    pub client_id: &'a str,
    pub scope: &'a [String],
    pub audience: Option<&'a str>,
    pub interval: i64,
    pub expires_at: i64,
}

/// `(id, client_id, scope, audience, status, poll_interval, last_polled_at,
/// expires_at, state_hash)` as read.
type Row = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
    i64,
    Option<String>,
);

/// The columns of a [`Row`], in its order (a macro, so each query stays one
/// literal SQL text).
macro_rules! columns {
    () => {
        "id, client_id, scope, audience, status, poll_interval, last_polled_at, expires_at, state_hash"
    };
}

fn from_row(r: Row) -> StoreResult<(DeviceAuthorization, bool)> {
    let status = Status::parse(&r.4)
        .ok_or_else(|| StoreError::Undecodable(format!("device code status {:?}", r.4)))?;
    Ok((
        DeviceAuthorization {
            id: r.0,
            client_id: r.1,
            scope: portcullis_core::scope::parse(&r.2),
            audience: r.3,
            status,
            interval: r.5,
            last_polled_at: r.6,
            expires_at: r.7,
        },
        r.8.is_some(),
    ))
}

impl TenantStore {
    /// Stores a new device authorization; `false` when its user code (or,
    /// never in practice, its device code) is taken: the caller draws again.
    pub async fn insert_device_code(&self, d: NewDeviceCode<'_>, now: i64) -> StoreResult<bool> {
        let scope = d.scope.join(" ");
        let n = write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO device_codes (tenant_id, id, device_code_hash, user_code_hash, client_id, scope, audience, status, poll_interval, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10)
                 ON CONFLICT DO NOTHING",
            )
            .bind(self.id())
            .bind(d.id)
            .bind(d.device_code_hash)
            .bind(d.user_code_hash)
            .bind(d.client_id)
            .bind(&scope)
            .bind(d.audience)
            .bind(d.interval)
            .bind(now)
            .bind(d.expires_at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// The device authorization of a device code (expired or not: the core
    /// tells the two apart).
    pub async fn device_by_code(
        &self,
        device_code_hash: &str,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM device_codes WHERE tenant_id = $1 AND device_code_hash = $2"
            ))
            .bind(self.id())
            .bind(device_code_hash)
            .fetch_optional(pool)
            .await?
        });
        row.map(from_row).transpose().map(|r| r.map(|(d, _)| d))
    }

    /// The live device authorization of a user code, and whether a browser
    /// has already confirmed it.
    pub async fn device_by_user_code(
        &self,
        user_code_hash: &str,
        now: i64,
    ) -> StoreResult<Option<(DeviceAuthorization, bool)>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM device_codes WHERE tenant_id = $1 AND user_code_hash = $2 AND expires_at > $3"
            ))
            .bind(self.id())
            .bind(user_code_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        row.map(from_row).transpose()
    }

    /// The one browser that confirms the code takes it: the login started for
    /// it is named by `state_hash`. `false` when another browser took it first,
    /// or it is no longer pending or live.
    pub async fn claim_device(&self, id: &str, state_hash: &str, now: i64) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE device_codes SET state_hash = $3
                 WHERE tenant_id = $1 AND id = $2 AND state_hash IS NULL
                   AND status = 'pending' AND expires_at > $4",
            )
            .bind(self.id())
            .bind(id)
            .bind(state_hash)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Records a poll that got `authorization_pending` or `slow_down`, with the
    /// interval the device must now keep (RFC 8628 §3.5).
    pub async fn record_device_poll(&self, id: &str, now: i64, interval: i64) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "UPDATE device_codes SET last_polled_at = $3, poll_interval = $4
                 WHERE tenant_id = $1 AND id = $2 AND status = 'pending'",
            )
            .bind(self.id())
            .bind(id)
            .bind(now)
            .bind(interval)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The person allowed the device: in one transaction the request turns
    /// approved and `grant` is stored as an authorization code under the
    /// device code's hash, living as long as the request. Only the login of
    /// the browser that claimed the code (`state_hash`) approves it. `false`
    /// (nothing written) when it is no longer pending, has expired, or was
    /// claimed by another browser's login.
    pub async fn approve_device(
        &self,
        id: &str,
        state_hash: &str,
        grant: &CodeGrant,
        now: i64,
    ) -> StoreResult<bool> {
        let doc = encode(grant)?;
        write_tx!(self, keep, |conn| {
            let row: Option<(String, i64)> = sqlx::query_as(
                "UPDATE device_codes SET status = 'approved'
                 WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND expires_at > $3
                   AND state_hash = $4
                 RETURNING device_code_hash, expires_at",
            )
            .bind(self.id())
            .bind(id)
            .bind(now)
            .bind(state_hash)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((code_hash, expires_at)) = row else {
                return Ok((false, false));
            };
            sqlx::query(
                "INSERT INTO authorization_codes (tenant_id, code_hash, client_id, user_id, doc, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(self.id())
            .bind(&code_hash)
            .bind(&grant.client_id)
            .bind(&grant.user_id)
            .bind(&doc)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
            Ok((true, true))
        })
    }

    /// The person cancelled, or the login was refused: the request turns
    /// denied (the device's next poll gets `access_denied`). By id (the
    /// confirmation page, before any browser took the code) or by the hash
    /// of the login's `state` (an error coming back from the login of the
    /// browser that took it). `true` when it was pending.
    pub async fn deny_device(&self, by: DeviceRef<'_>, now: i64) -> StoreResult<bool> {
        let (sql, value) = match by {
            // Cancelled on the confirmation page: only while no browser has
            // taken the code, so one that loaded the page cannot deny a
            // login another browser confirmed.
            DeviceRef::Id(id) => (
                "UPDATE device_codes SET status = 'denied'
                 WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND expires_at > $3
                   AND state_hash IS NULL",
                id,
            ),
            DeviceRef::State(hash) => (
                "UPDATE device_codes SET status = 'denied'
                 WHERE tenant_id = $1 AND state_hash = $2 AND status = 'pending' AND expires_at > $3",
                hash,
            ),
        };
        let n = write_db!(self, |conn| {
            sqlx::query(sql)
                .bind(self.id())
                .bind(value)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n >= 1)
    }
}

/// How a device authorization is named when it is denied.
#[derive(Debug, Clone, Copy)]
pub enum DeviceRef<'a> {
    Id(&'a str),
    /// The hash of the `state` of the login started for it.
    State(&'a str),
}
