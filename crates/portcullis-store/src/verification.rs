//! E-mail verification tickets, Management API jobs, and the tenant's e-mail
//! templates.
//!
//! Invariants: only the SHA-256 of a ticket is stored; a ticket is spent once;
//! spending it verifies the address it was made for and no other (a user who
//! changed address since keeps `email_verified` as it is), in one transaction.

use portcullis_core::email_templates::{EmailTemplate, TemplateName};
use portcullis_core::users::User;

use crate::user_search::index_user;
use crate::{StoreResult, TenantStore, decode, encode, with_db, write_db, write_tx};

/// A verification ticket to store.
#[derive(Debug, Clone)]
pub struct NewEmailTicket<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    /// The address the link is for.
    pub email: &'a str,
    pub client_id: Option<&'a str>,
    pub result_url: Option<&'a str>,
    pub created_at: i64,
    pub expires_at: i64,
    pub purpose: TicketPurpose,
}

/// What an e-mail ticket does when it is spent; it is spent only for that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketPurpose {
    /// Verifies the address it was made for.
    VerifyEmail,
    /// Lifts the brute-force block of the account it was sent to.
    Unblock,
}

impl TicketPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TicketPurpose::VerifyEmail => "verify_email",
            TicketPurpose::Unblock => "unblock",
        }
    }
}

/// What spending a ticket did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The address is verified now.
    Verified {
        user_id: String,
        email: String,
        client_id: Option<String>,
        result_url: Option<String>,
    },
    /// The user's address changed since the link was sent: nothing verified.
    AddressChanged { user_id: String },
    /// Unknown, spent or expired.
    Gone,
}

impl TenantStore {
    pub async fn insert_email_ticket(&self, t: &NewEmailTicket<'_>) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO email_tickets (tenant_id, token_hash, user_id, email, client_id, result_url, created_at, expires_at, purpose)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(self.id())
            .bind(t.token_hash)
            .bind(t.user_id)
            .bind(t.email)
            .bind(t.client_id)
            .bind(t.result_url)
            .bind(t.created_at)
            .bind(t.expires_at)
            .bind(t.purpose.as_str())
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Spends the ticket and verifies the address, in one transaction.
    pub async fn redeem_email_ticket(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Verification> {
        write_tx!(self, result, |conn| {
            let row: Option<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
                "UPDATE email_tickets SET used_at = $3
                 WHERE tenant_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3
                   AND purpose = 'verify_email'
                 RETURNING user_id, email, client_id, result_url",
            )
            .bind(self.id())
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((user_id, email, client_id, result_url)) = row else {
                return Ok(Verification::Gone);
            };
            let doc: Option<(String,)> =
                sqlx::query_as("SELECT doc FROM users WHERE tenant_id = $1 AND user_id = $2")
                    .bind(self.id())
                    .bind(&user_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            let Some((doc,)) = doc else {
                return Ok(Verification::Gone);
            };
            let mut user: User = decode(&doc)?;
            if user.email != email {
                return Ok(Verification::AddressChanged { user_id });
            }
            user.email_verified = true;
            sqlx::query(
                "UPDATE users SET doc = $3, updated_at = $4 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(self.id())
            .bind(&user_id)
            .bind(encode(&user)?)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            index_user!(conn, self.id(), &user);
            Ok(Verification::Verified {
                user_id,
                email,
                client_id,
                result_url,
            })
        })
    }

    /// Whether a ticket of `purpose` was made for the user at or after `since`
    /// (to send a kind of mail at most once in a while).
    pub async fn email_ticket_since(
        &self,
        user_id: &str,
        purpose: TicketPurpose,
        since: i64,
    ) -> StoreResult<bool> {
        let row: Option<(i64,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT created_at FROM email_tickets
                 WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND created_at >= $4 LIMIT 1",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(purpose.as_str())
            .bind(since)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.is_some())
    }

    /// The address a live (unspent, unexpired) ticket of `purpose` was made
    /// for, without spending it.
    pub async fn live_email_ticket(
        &self,
        token_hash: &str,
        purpose: TicketPurpose,
        now: i64,
    ) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT email FROM email_tickets
                 WHERE tenant_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3 AND purpose = $4",
            )
            .bind(self.id())
            .bind(token_hash)
            .bind(now)
            .bind(purpose.as_str())
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(e,)| e))
    }

    /// Spends an unblock ticket and forgets the brute-force counters whose
    /// keys start with `prefix_of(address)`, in one transaction. The user id
    /// and address, or `None` when the ticket is unknown, spent or expired.
    pub async fn redeem_unblock_ticket(
        &self,
        token_hash: &str,
        now: i64,
        prefix_of: impl Fn(&str) -> String,
    ) -> StoreResult<Option<(String, String)>> {
        write_tx!(self, result, |conn| {
            let row: Option<(String, String)> = sqlx::query_as(
                "UPDATE email_tickets SET used_at = $3
                 WHERE tenant_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3
                   AND purpose = 'unblock'
                 RETURNING user_id, email",
            )
            .bind(self.id())
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some((_, email)) = &row {
                sqlx::query(
                    "DELETE FROM login_failures WHERE tenant_id = $1 AND substr(key, 1, length($2)) = $2",
                )
                .bind(self.id())
                .bind(prefix_of(email))
                .execute(&mut *conn)
                .await?;
            }
            Ok(row)
        })
    }

    /// Records a job (its Auth0-shaped record in `doc`).
    pub async fn insert_job(
        &self,
        id: &str,
        kind: &str,
        status: &str,
        doc: &serde_json::Value,
        now: i64,
    ) -> StoreResult<()> {
        let doc = encode(doc)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO jobs (tenant_id, id, type, status, doc, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(self.id())
            .bind(id)
            .bind(kind)
            .bind(status)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn get_job(&self, id: &str) -> StoreResult<Option<serde_json::Value>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM jobs WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| decode(&d)).transpose()
    }

    /// The tenant's template of this name, if it has one.
    pub async fn get_email_template(
        &self,
        name: TemplateName,
    ) -> StoreResult<Option<EmailTemplate>> {
        Ok(self
            .get_email_template_versioned(name)
            .await?
            .map(|(t, _)| t))
    }

    /// The template and the stored text it was read from (the version
    /// [`TenantStore::update_email_template`] compares against).
    pub async fn get_email_template_versioned(
        &self,
        name: TemplateName,
    ) -> StoreResult<Option<(EmailTemplate, String)>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM email_templates WHERE tenant_id = $1 AND name = $2")
                .bind(self.id())
                .bind(name.as_str())
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| Ok((decode(&d)?, d))).transpose()
    }

    /// Stores `t` over the template if it is still the one read as `read`
    /// (compare-and-set); `false` when another change (or a delete) came first.
    pub async fn update_email_template(
        &self,
        t: &EmailTemplate,
        read: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let doc = encode(t)?;
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE email_templates SET doc = $3, updated_at = $4
                 WHERE tenant_id = $1 AND name = $2 AND doc = $5",
            )
            .bind(self.id())
            .bind(t.template.as_str())
            .bind(&doc)
            .bind(now)
            .bind(read)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Stores a template: a new one (`Conflict` if it exists) or, with
    /// `replace`, over whatever is there.
    pub async fn put_email_template(
        &self,
        t: &EmailTemplate,
        replace: bool,
        now: i64,
    ) -> StoreResult<()> {
        let doc = encode(t)?;
        write_db!(self, |conn| {
            let q = if replace {
                sqlx::query(
                    "INSERT INTO email_templates (tenant_id, name, doc, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (tenant_id, name) DO UPDATE SET doc = $3, updated_at = $4",
                )
            } else {
                sqlx::query(
                    "INSERT INTO email_templates (tenant_id, name, doc, updated_at) VALUES ($1, $2, $3, $4)",
                )
            };
            q.bind(self.id())
                .bind(t.template.as_str())
                .bind(&doc)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }
}
