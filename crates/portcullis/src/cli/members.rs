//! `portcullis members …`: dashboard members, directly in the database (with or
//! without a server running), as `admin reset` does for the Management API's
//! administrator. Members are never end users; see `portcullis_core::members`.

use portcullis_core::members::{self, Member, Role};
use portcullis_core::secrets::Secret;
use portcullis_store::{StoreError, TenantStore};

use super::remote::CliError;

/// What to do.
#[derive(Debug, clap::Subcommand)]
pub enum MembersCommand {
    /// Add a member; prints a generated password unless --password-stdin.
    Add {
        /// The member's e-mail address (the sign-in name).
        email: String,
        /// admin, editor or viewer.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the members.
    List,
    /// Change a member's role (takes effect at the member's next request).
    SetRole {
        /// The member's e-mail address.
        email: String,
        /// admin, editor or viewer.
        role: String,
    },
    /// Set a new password (generated unless --password-stdin) and end the
    /// member's sessions.
    SetPassword {
        /// The member's e-mail address.
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a member (their dashboard sessions end at once).
    Remove {
        /// The member's e-mail address.
        email: String,
    },
}

fn store_error(e: StoreError) -> CliError {
    CliError::Other(e.to_string())
}

fn role_of(s: &str) -> Result<Role, CliError> {
    Role::parse(s)
        .ok_or_else(|| CliError::Usage(format!("unknown role {s:?}: use admin, editor or viewer")))
}

/// The password to set: one line of standard input, or a generated one.
fn password(from_stdin: bool) -> Result<(Secret, bool), CliError> {
    if !from_stdin {
        return Ok((Secret::new(members::generate_password()), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::Other(format!("cannot read the password: {e}")))?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    members::check_password(&p).map_err(CliError::Usage)?;
    Ok((Secret::new(p), false))
}

async fn find(store: &TenantStore, email: &str) -> Result<Member, CliError> {
    let email = members::normalize_email(email).map_err(|e| CliError::Usage(e.message))?;
    match store
        .find_member_by_email(&email)
        .await
        .map_err(store_error)?
    {
        Some((m, _)) => Ok(m),
        None => Err(CliError::Usage(format!("no member signs in as {email}"))),
    }
}

async fn hash(password: &Secret) -> String {
    let p = password.clone();
    tokio::task::spawn_blocking(move || portcullis_core::passwords::hash(&p))
        .await
        .unwrap_or_default()
}

/// Runs `command` on the default tenant of `store`.
pub async fn run(store: &TenantStore, command: MembersCommand, now: i64) -> Result<(), CliError> {
    match command {
        MembersCommand::Add {
            email,
            role,
            password_stdin,
        } => {
            let email = members::normalize_email(&email).map_err(|e| CliError::Usage(e.message))?;
            let role = role_of(&role)?;
            let (password, generated) = password(password_stdin)?;
            let member = Member {
                id: members::new_id(),
                email,
                role,
                created_at: now,
                last_login: None,
                logins_count: 0,
            };
            match store.create_member(&member, &hash(&password).await).await {
                Ok(()) => {}
                Err(StoreError::Conflict) => {
                    return Err(CliError::Usage(format!(
                        "a member already signs in as {}",
                        member.email
                    )));
                }
                Err(e) => return Err(store_error(e)),
            }
            println!("added {} ({}) as {}", member.email, member.id, member.role);
            if generated {
                println!("password: {}", password.expose());
            }
            Ok(())
        }
        MembersCommand::List => {
            for m in store.list_members().await.map_err(store_error)? {
                println!(
                    "{}\t{}\t{}\tlogins {}",
                    m.email, m.role, m.id, m.logins_count
                );
            }
            Ok(())
        }
        MembersCommand::SetRole { email, role } => {
            let role = role_of(&role)?;
            let m = find(store, &email).await?;
            store
                .set_member_role(&m.id, role, now)
                .await
                .map_err(store_error)?;
            println!("{} is now {role}", m.email);
            Ok(())
        }
        MembersCommand::SetPassword {
            email,
            password_stdin,
        } => {
            let m = find(store, &email).await?;
            let (password, generated) = password(password_stdin)?;
            store
                .set_member_password(&m.id, &hash(&password).await, now)
                .await
                .map_err(store_error)?;
            println!("{}'s password was changed; their sessions ended", m.email);
            if generated {
                println!("password: {}", password.expose());
            }
            Ok(())
        }
        MembersCommand::Remove { email } => {
            let m = find(store, &email).await?;
            store.delete_member(&m.id).await.map_err(store_error)?;
            println!("removed {}", m.email);
            Ok(())
        }
    }
}
