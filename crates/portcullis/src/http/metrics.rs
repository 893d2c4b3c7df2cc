//! `/metrics` and the layer that measures every request, over the counters
//! of `crate::metrics`.

use crate::app::AppState;

/// Records every request by its route template (`MatchedPath`), so that ids in
/// paths never become label values.
pub async fn layer(
    axum::extract::State(app): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().as_str().to_string();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    app.metrics
        .request(&route, &method, res.status().as_u16(), started.elapsed());
    res
}

pub async fn endpoint(
    axum::extract::State(app): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut body = app.metrics.render(app.store.pool_stats());
    if let Some(writer) = app.store.writer_stats() {
        body.push_str(&crate::metrics::render_writer(&writer));
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
