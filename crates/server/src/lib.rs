//! This crate is the baydex service behind `baydex serve`: a JSON API over computed projects
//! (projects, periods, units, framework, scores, ranks, tiers, audit, results of a period or a
//! node, re-running with `--set` overrides), its OpenAPI 3.1 document at `/openapi.json`,
//! bearer-token authentication with public and restricted projects and an audit of every read of
//! restricted data, the web portal (static files from `web/`, embedded) at `/`, and — with the
//! `catalog` feature and a catalog (`ServeConfig::with_catalog`) — SQL over the data catalog at
//! `POST /api/sql`, audited in the catalog's SQLite store.
//!
//! It is not a reusable library: the `baydex` command is its only user. It does not compute
//! indices (`baydex-core`) or read project files (`baydex-data`); every project is computed once,
//! when the [`App`] is built, and its JSON bodies are serialised then, so reads are lookups. It
//! does not run SQL itself nor decide what a principal may see of a table: `baydex_data::catalog`
//! does.
//!
//! ```text
//!  LoadedProject … ──► App::build ──► compute + audit once, serialise JSON bodies
//!                                          │
//!  request ─► log ─► timeout ─► authenticate (bearer → Principal) ─► handler ─► cached bytes
//!                                                 │                  (run: spawn_blocking compute)
//!                                      audit of restricted reads (AuditSink)
//!  POST /api/sql ─► … ─► catalog principal ─► Catalog::query (own task) ─► typed JSON rows
//!                                               └─► audit row (catalog's SQLite)
//! ```
//!
//! Tests drive [`App::router`] in-process; `baydex serve` binds a listener and calls
//! [`App::serve`] with [`shutdown_signal`]:
//!
//! ```no_run
//! use baydex_server::{App, ServeConfig, ServedProject};
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let loaded = baydex_data::load_project_path("examples/gba/gba.toml".as_ref())
//!     .map_err(|d| d.render(baydex_core::Lang::En))?;
//! let app = App::build(ServeConfig::new(vec![ServedProject { id: "gba".into(), loaded }]))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! app.serve(listener, baydex_server::shutdown_signal()).await?;
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod api;
pub mod auth;
mod error;
pub mod flows;
pub mod openapi;
pub mod portal;
pub mod sensitivity;
#[cfg(feature = "catalog")]
mod sql;
mod state;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use baydex_core::{Lang, Results, Text};
use baydex_data::LoadedProject;

pub use auth::{
    AccessConfig, AuditEvent, AuditSink, Authenticator, LogAudit, MemoryAudit, Principal, ProjectAccess, TokenTable,
};
pub use error::ApiError;
#[cfg(feature = "catalog")]
pub use sql::CatalogAudit;

/// The message of a core error in a language (the CLI passes its bilingual messages).
pub type CoreMessage = fn(&baydex_core::Error, Lang) -> String;

fn english_message(e: &baydex_core::Error, _: Lang) -> String {
    e.to_string()
}

/// Limits of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body accepted (bytes); larger → 413.
    pub max_body_bytes: usize,
    /// Longest a request may take; longer → 503 `timeout`.
    pub timeout: Duration,
    /// Runs (`POST …/run`) computed at the same time; more → 429 `busy`.
    pub max_concurrent_runs: usize,
    /// SQL queries (`POST /api/sql`) running at the same time; more → 429 `busy`.
    pub max_concurrent_queries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024,
            timeout: Duration::from_secs(30),
            max_concurrent_runs: 2,
            max_concurrent_queries: 4,
        }
    }
}

/// Results another crate computes for a project (sensitivity, flows, …), served read-only at
/// `GET /api/projects/{id}/{name}` and listed in the OpenAPI document. Computed once at startup.
pub trait ProjectExtension: std::fmt::Debug + Send + Sync {
    /// The route segment (`sensitivity`, `flows`).
    fn name(&self) -> &'static str;
    /// The extension's JSON for a project, `None` when it has nothing for it.
    fn compute(&self, loaded: &LoadedProject, results: &Results) -> Result<Option<serde_json::Value>, Text>;
}

/// A project to serve, with its id in URLs.
#[derive(Debug, Clone)]
pub struct ServedProject {
    /// Id in URLs (`/api/projects/{id}`).
    pub id: String,
    /// The loaded project.
    pub loaded: LoadedProject,
}

/// Everything [`App::build`] needs.
#[derive(Debug)]
pub struct ServeConfig {
    /// The projects, in display order.
    pub projects: Vec<ServedProject>,
    /// The access file; `None` = every project public, running open.
    pub access: Option<AccessConfig>,
    /// Who the bearer tokens belong to, instead of the access file's principals (e.g. the data
    /// catalog's principals); the access file still says which projects are public.
    pub authenticator: Option<Box<dyn Authenticator>>,
    /// Where audit events go.
    pub audit: Arc<dyn AuditSink>,
    /// Limits.
    pub limits: Limits,
    /// Messages of core errors.
    pub core_message: CoreMessage,
    /// Extensions.
    pub extensions: Vec<Arc<dyn ProjectExtension>>,
    /// The data catalog served at `POST /api/sql` (feature `catalog`); set it with
    /// [`ServeConfig::with_catalog`], which also sends the audit there.
    #[cfg(feature = "catalog")]
    pub catalog: Option<Arc<baydex_data::catalog::Catalog>>,
}

impl ServeConfig {
    /// A configuration serving `projects` with defaults: no access file, audit to the log.
    pub fn new(projects: Vec<ServedProject>) -> Self {
        ServeConfig {
            projects,
            access: None,
            authenticator: None,
            audit: Arc::new(LogAudit),
            limits: Limits::default(),
            core_message: english_message,
            extensions: Vec::new(),
            #[cfg(feature = "catalog")]
            catalog: None,
        }
    }

    /// Serves SQL over `catalog` at `POST /api/sql` (its principals authenticate with their
    /// tokens; every query is audited in its SQLite store) and writes the audit of restricted
    /// project reads into the same store ([`CatalogAudit`]). The catalog needs an access policy.
    #[cfg(feature = "catalog")]
    pub fn with_catalog(mut self, catalog: Arc<baydex_data::catalog::Catalog>) -> Self {
        self.audit = Arc::new(CatalogAudit::new(catalog.clone()));
        self.catalog = Some(catalog);
        self
    }
}

/// Why the app could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Two projects have the same id.
    #[error("two projects have the id '{id}'")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// A project could not be computed.
    #[error("{message}")]
    Compute {
        /// What failed (file and both languages).
        message: String,
    },
    /// The data catalog cannot be served (it has no access policy).
    #[error("{}", message.en)]
    Catalog {
        /// What is wrong and how to fix it, in both languages.
        message: Text,
    },
}

/// The service: every project computed, the router ready.
#[derive(Debug)]
pub struct App {
    state: Arc<state::AppState>,
}

impl App {
    /// Computes every project and builds the service.
    pub fn build(config: ServeConfig) -> Result<App, BuildError> {
        #[cfg(feature = "catalog")]
        if let Some(c) = &config.catalog
            && c.policy.is_none()
        {
            return Err(BuildError::Catalog {
                message: Text::new(
                    format!(
                        "{}: the catalog has no access policy, so no principal could query it over HTTP; \
                         add policy = \"policy.toml\" to its [catalog] table (docs/catalog.md)",
                        c.config.file
                    ),
                    format!(
                        "{}：该数据目录没有访问策略，无法通过 HTTP 查询；请在其 [catalog] 中加入 \
                         policy = \"policy.toml\"（见 docs/catalog.md）",
                        c.config.file
                    ),
                ),
            });
        }
        #[cfg(feature = "catalog")]
        let catalog = config.catalog;
        let ServeConfig { projects, access, authenticator, audit, limits, core_message, extensions, .. } = config;
        let access_configured = access.is_some() || authenticator.is_some();
        let (tokens, project_access) = match access {
            Some(a) => (Some(a.authenticator), a.projects),
            None => (None, Default::default()),
        };
        let mut list = Vec::with_capacity(projects.len());
        let mut by_id = HashMap::new();
        for p in projects {
            let pa = if access_configured {
                project_access.get(&p.id).cloned().unwrap_or_default()
            } else {
                ProjectAccess { public: true, roles: Vec::new() }
            };
            let id = p.id.clone();
            let ps = Arc::new(
                state::build_project(p.id, p.loaded, pa, core_message, &extensions)
                    .map_err(|message| BuildError::Compute { message })?,
            );
            if by_id.insert(id.clone(), ps.clone()).is_some() {
                return Err(BuildError::DuplicateId { id });
            }
            list.push(ps);
        }
        let state = state::AppState {
            ids: list.iter().map(|p| p.id.clone()).collect(),
            projects: list,
            by_id,
            authenticator: match (authenticator, tokens) {
                (Some(a), _) => a.into(),
                (None, Some(t)) => t,
                (None, None) => Arc::new(TokenTable::default()),
            },
            audit,
            access_configured,
            limits,
            core_message,
            run_slots: tokio::sync::Semaphore::new(limits.max_concurrent_runs.max(1)),
            #[cfg(feature = "catalog")]
            sql_slots: Arc::new(tokio::sync::Semaphore::new(limits.max_concurrent_queries.max(1))),
            ready: Arc::new(AtomicBool::new(true)),
            extension_names: extensions.iter().map(|e| e.name()).collect(),
            #[cfg(feature = "catalog")]
            catalog,
        };
        Ok(App { state: Arc::new(state) })
    }

    /// The ids of the served projects, in order.
    pub fn project_ids(&self) -> &[String] {
        &self.state.ids
    }

    /// The router (for in-process tests, or to serve on any listener).
    pub fn router(&self) -> Router {
        api::router(self.state.clone())
    }

    /// Serves on `listener` until `shutdown` completes, then stops accepting, reports not ready,
    /// and lets requests in flight finish.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let ready = self.state.ready.clone();
        let router = self.router();
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                ready.store(false, Ordering::Release);
                tracing::info!(target: "baydex::server", "shutting down: finishing requests in flight");
            })
            .await
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!(target: "baydex::server", "SIGINT received"),
        () = term => tracing::info!(target: "baydex::server", "SIGTERM received"),
    }
}
