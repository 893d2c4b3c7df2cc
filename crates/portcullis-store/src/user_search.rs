//! User search: the `user_attributes` index, rewritten with every write of a
//! user, and Auth0's v3 `q` (parsed by `portcullis_core::user_search`) run
//! against it.
//!
//! Invariants:
//! - the SQL text of a search is assembled only from this module's constant
//!   fragments (and the core's `&'static` column and path names); every value
//!   from the query is a bound parameter, so no input reaches the SQL text;
//! - the same text runs on both backends: prefixes are compared with
//!   `substr(value, 1, length($n)) = $n`, which is case-sensitive on both
//!   (SQLite's `LIKE` is not), and case-insensitive fields are lower-cased when
//!   indexed and when queried;
//! - a user's attributes are deleted and rewritten in the transaction that
//!   writes the user (`index_user!`), and go with the user (cascade).

use std::fmt::Write as _;

use portcullis_core::user_search::{Match, Paths, Sort, SortKey, UserQuery};
use portcullis_core::users::User;

use crate::{Page, Store, StoreResult, decode, with_db, write_tx};

/// Attribute rows per `INSERT` (four parameters a row, far below either
/// backend's limit).
pub(crate) const ROWS_PER_INSERT: usize = 200;

/// The statement inserting `rows` attributes of one user (`$1` tenant, `$2`
/// user, then path and value per row). Rows already there are kept, so two
/// nodes indexing the same user at start do not collide.
pub(crate) fn insert_sql(rows: usize) -> String {
    let mut sql =
        String::from("INSERT INTO user_attributes (tenant_id, user_id, path, value) VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        let _ = write!(sql, "($1, $2, ${}, ${})", 3 + 2 * i, 4 + 2 * i);
    }
    sql.push_str(" ON CONFLICT DO NOTHING");
    sql
}

/// Rewrites the search attributes of `$user` (a `&User`) on `$conn`, inside the
/// caller's write; `?` leaves the caller's body on error.
macro_rules! index_user {
    ($conn:ident, $tenant:expr, $user:expr) => {{
        let user: &portcullis_core::users::User = $user;
        sqlx::query("DELETE FROM user_attributes WHERE tenant_id = $1 AND user_id = $2")
            .bind($tenant)
            .bind(&user.user_id)
            .execute(&mut *$conn)
            .await?;
        let attributes = portcullis_core::user_search::attributes(user);
        for chunk in attributes.chunks($crate::user_search::ROWS_PER_INSERT) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe($crate::user_search::insert_sql(
                chunk.len(),
            )))
            .bind($tenant)
            .bind(&user.user_id);
            for (path, value) in chunk {
                q = q.bind(path.clone()).bind(value.clone());
            }
            q.execute(&mut *$conn).await?;
        }
    }};
}
pub(crate) use index_user;

/// A value bound to a search.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

/// A search's WHERE clause under construction: `$1` is the tenant.
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len() + 1)
    }

    fn text(&mut self, v: &str) -> String {
        self.bind(Bind::Text(v.to_string()))
    }

    fn condition(&mut self, q: &UserQuery) {
        match q {
            UserQuery::And(items) | UserQuery::Or(items) => {
                let op = if matches!(q, UserQuery::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                self.text.push('(');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.text.push_str(op);
                    }
                    self.condition(item);
                }
                self.text.push(')');
            }
            UserQuery::Not(inner) => {
                self.text.push_str("NOT (");
                self.condition(inner);
                self.text.push(')');
            }
            UserQuery::Match(m) => self.term(m),
        }
    }

    fn term(&mut self, m: &Match) {
        // An uncorrelated `IN`: the users with a matching attribute are found
        // through the (tenant_id, path, value) index, not by a probe per user.
        const ATTRIBUTE: &str =
            "u.user_id IN (SELECT a.user_id FROM user_attributes a WHERE a.tenant_id = $1 AND ";
        match m {
            Match::Attribute {
                paths,
                value,
                prefix,
            } => {
                let path = match paths {
                    Paths::One(p) => format!("a.path = {}", self.text(p)),
                    Paths::Normalised => {
                        "a.path IN ('email', 'name', 'nickname', 'given_name', 'family_name')"
                            .to_string()
                    }
                };
                let v = self.text(value);
                let value = if *prefix {
                    format!("substr(a.value, 1, length({v})) = {v}")
                } else {
                    format!("a.value = {v}")
                };
                let _ = write!(self.text, "{ATTRIBUTE}{path} AND {value})");
            }
            Match::Exists { path } => {
                let p = self.text(path);
                let below = self.text(&format!("{path}."));
                let _ = write!(
                    self.text,
                    "{ATTRIBUTE}(a.path = {p} OR substr(a.path, 1, length({below})) = {below}))"
                );
            }
            Match::Range { column, from, to } => {
                // `IS NOT NULL` first, so `NOT last_login:[…]` keeps the users
                // who never logged in (NOT of NULL would drop them).
                let col = column.sql();
                let _ = write!(self.text, "(u.{col} IS NOT NULL");
                if let Some(f) = from {
                    let f = self.bind(Bind::Int(*f));
                    let _ = write!(self.text, " AND u.{col} >= {f}");
                }
                if let Some(t) = to {
                    let t = self.bind(Bind::Int(*t));
                    let _ = write!(self.text, " AND u.{col} <= {t}");
                }
                self.text.push(')');
            }
        }
    }
}

/// `ORDER BY …` for `sort`: users without the key last in either direction (as
/// Auth0), then by id so pages are stable.
fn order_by(sort: Sort) -> String {
    let key = match sort.key {
        SortKey::Column(c) => format!("u.{}", c.sql()),
        SortKey::UserId => "u.user_id".to_string(),
        SortKey::Email => "u.email".to_string(),
        SortKey::Attribute(path) => format!(
            "(SELECT MIN(s.value) FROM user_attributes s WHERE s.tenant_id = u.tenant_id AND s.user_id = u.user_id AND s.path = '{path}')"
        ),
    };
    let dir = if sort.descending { "DESC" } else { "ASC" };
    format!("ORDER BY ({key} IS NULL), {key} {dir}, u.user_id {dir}")
}

/// A search as SQL: the page query (`$1` the tenant, then `binds`), the count
/// query (`$1`, then the first `n_where` of `binds`), and the values.
pub(crate) struct SearchSql {
    pub select: String,
    pub count: String,
    pub binds: Vec<Bind>,
    pub n_where: usize,
}

/// The SQL of a page of the users matching `q` (all when `None`) in `sort`
/// order, with the columns `users::Row` reads.
pub(crate) fn search_sql(q: Option<&UserQuery>, sort: Sort, page: Page) -> SearchSql {
    let mut sql = Sql {
        text: String::new(),
        binds: Vec::new(),
    };
    match q {
        Some(q) => sql.condition(q),
        None => sql.text.push_str("TRUE"),
    }
    let n_where = sql.binds.len();
    let limit = sql.bind(Bind::Int(page.limit()));
    let offset = sql.bind(Bind::Int(page.offset()));
    let select = format!(
        "SELECT u.doc, u.password_hash, u.logins_count, u.last_login FROM users u
         WHERE u.tenant_id = $1 AND {} {} LIMIT {limit} OFFSET {offset}",
        sql.text,
        order_by(sort)
    );
    let count = format!(
        "SELECT COUNT(*) FROM users u WHERE u.tenant_id = $1 AND {}",
        sql.text
    );
    SearchSql {
        select,
        count,
        binds: sql.binds,
        n_where,
    }
}

/// Users indexed per transaction when catching up.
const INDEX_BATCH: i64 = 500;

impl Store {
    /// Indexes every user that has no search attributes yet (all of them right
    /// after migration 18; none afterwards, as every write indexes its user).
    /// A user changed by a node of an older build (a rolling upgrade across
    /// migration 18) after being indexed keeps its older attributes until its
    /// next write: upgrade every node before relying on search.
    /// Returns how many were indexed.
    pub async fn index_unindexed_users(&self) -> StoreResult<u64> {
        let mut done = 0u64;
        loop {
            let rows: Vec<(String, String)> = with_db!(self, |pool| {
                sqlx::query_as(
                    "SELECT u.tenant_id, u.user_id FROM users u WHERE NOT EXISTS
                     (SELECT 1 FROM user_attributes a WHERE a.tenant_id = u.tenant_id AND a.user_id = u.user_id)
                     LIMIT $1",
                )
                .bind(INDEX_BATCH)
                .fetch_all(pool)
                .await?
            });
            if rows.is_empty() {
                return Ok(done);
            }
            // Each user read again inside the write: one deleted meanwhile is
            // skipped, one changed meanwhile is indexed as it is now.
            let keys = rows;
            write_tx!(self, result, |conn| {
                for (tenant, user_id) in &keys {
                    let doc: Option<(String,)> = sqlx::query_as(
                        "SELECT doc FROM users WHERE tenant_id = $1 AND user_id = $2",
                    )
                    .bind(tenant)
                    .bind(user_id)
                    .fetch_optional(&mut *conn)
                    .await?;
                    if let Some((doc,)) = doc {
                        let user: User = decode(&doc)?;
                        index_user!(conn, tenant.as_str(), &user);
                    }
                }
                Ok(())
            })?;
            done += keys.len() as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use portcullis_core::user_search::{parse, parse_sort};

    use super::*;

    fn where_of(q: &str) -> Sql {
        let mut sql = Sql {
            text: String::new(),
            binds: Vec::new(),
        };
        sql.condition(&parse(q).unwrap().unwrap());
        sql
    }

    #[test]
    fn values_are_bound_never_written_into_the_sql() {
        let hostile = r#"name:"x' OR 1=1 --" OR app_metadata.a:"'; DROP TABLE users; --""#;
        let sql = where_of(hostile);
        assert!(!sql.text.contains("DROP"), "{}", sql.text);
        assert!(!sql.text.contains("1=1"), "{}", sql.text);
        assert_eq!(sql.binds.len(), 4);
        assert!(sql.text.contains("a.value = $3") && sql.text.contains("a.value = $5"));
    }

    #[test]
    fn prefixes_compare_with_substr_not_like() {
        let sql = where_of("name:jo*");
        assert!(sql.text.contains("substr(a.value, 1, length($3)) = $3"));
        assert!(!sql.text.contains("LIKE"));
    }

    #[test]
    fn sort_names_only_constant_fragments() {
        let o = order_by(parse_sort(Some("name:-1")).unwrap());
        assert!(o.contains("s.path = 'name'") && o.ends_with("u.user_id DESC"));
    }

    /// On a real SQLite file: users written without attributes (as before
    /// migration 18) are indexed by the next `migrate`, and found.
    #[tokio::test]
    async fn migrate_indexes_users_written_before_the_index() -> StoreResult<()> {
        let dir = std::env::temp_dir().join(format!(
            "portcullis-store-search-{}-{}",
            std::process::id(),
            portcullis_core::random::hex(4)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&format!("sqlite://{}/db.sqlite", dir.display())).await?;
        store.migrate(1).await?;
        let t = store.tenant("t1");
        let user: User = serde_json::from_value(serde_json::json!({
            "user_id": "auth0|1", "email": "jo@example.com", "email_verified": false,
            "name": "Jo", "nickname": "jo", "picture": "", "blocked": false,
            "user_metadata": {}, "app_metadata": {"plan": "gold"}, "identities": [],
            "created_at": "x", "updated_at": "x"
        }))
        .unwrap();
        crate::write_db!(t, |conn| {
            sqlx::query("INSERT INTO tenants (id, created_at) VALUES ($1, 1)")
                .bind(t.id())
                .execute(&mut *conn)
                .await?;
        });
        t.insert_user(&user, None, 1).await?;
        crate::write_db!(t, |conn| {
            sqlx::query("DELETE FROM user_attributes")
                .execute(&mut *conn)
                .await?;
        });
        let q = parse("app_metadata.plan:gold").unwrap();
        let (found, _) = t
            .search_users(q.as_ref(), Sort::default(), Page::ALL)
            .await?;
        assert!(found.is_empty(), "the index was emptied");
        store.migrate(2).await?;
        let (found, n) = t
            .search_users(q.as_ref(), Sort::default(), Page::ALL)
            .await?;
        assert_eq!((found.len(), n), (1, 1));
        assert_eq!(
            store.index_unindexed_users().await?,
            0,
            "nothing left to index"
        );
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    #[test]
    fn insert_sql_numbers_its_parameters() {
        assert_eq!(
            insert_sql(2),
            "INSERT INTO user_attributes (tenant_id, user_id, path, value) VALUES ($1, $2, $3, $4), ($1, $2, $5, $6) ON CONFLICT DO NOTHING"
        );
    }
}
