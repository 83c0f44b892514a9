//! The web portal: static files from `web/`, embedded in the binary and served with their
//! content types. No build step: the browser loads these files as they are.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One embedded file: URL path, content type, cache policy, contents.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// URL path.
    pub path: &'static str,
    /// Content type.
    pub content_type: &'static str,
    /// Contents.
    pub bytes: &'static [u8],
    /// Vendored files never change within a build; the portal's own files are revalidated.
    pub immutable: bool,
}

/// Every file of the portal.
pub const ASSETS: &[Asset] = &[
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../../../web/index.html"),
        immutable: false,
    },
    Asset {
        path: "/portal.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../web/portal.js"),
        immutable: false,
    },
    Asset {
        path: "/portal.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../../web/portal.css"),
        immutable: false,
    },
    Asset {
        path: "/favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../../../web/favicon.svg"),
        immutable: false,
    },
    Asset {
        path: "/charts.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../web/charts.js"),
        immutable: false,
    },
    Asset {
        path: "/vendor/echarts/echarts.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../web/vendor/echarts/echarts.min.js"),
        immutable: true,
    },
    Asset {
        path: "/vendor/echarts/LICENSE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../../../web/vendor/echarts/LICENSE"),
        immutable: true,
    },
    Asset {
        path: "/vendor/gba-boundaries/gba-11-cities.geojson",
        content_type: "application/geo+json",
        bytes: include_bytes!("../../../web/vendor/gba-boundaries/gba-11-cities.geojson"),
        immutable: true,
    },
    Asset {
        path: "/vendor/gba-boundaries/LICENSE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../../../web/vendor/gba-boundaries/LICENSE"),
        immutable: true,
    },
];

/// Only the server itself may be contacted; ECharts' tooltips set inline styles.
const CSP: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

fn serve(a: &'static Asset) -> Response {
    let cache = if a.immutable { "public, max-age=86400" } else { "no-cache" };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(a.content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        a.bytes,
    )
        .into_response()
}

/// The portal's routes.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let mut r = Router::new();
    for a in ASSETS {
        r = r.route(a.path, get(move || async move { serve(a) }));
    }
    r
}
