//! The web-server flow with PKCE S256 and a loopback listener, as `sf org login web` does it
//! (oauth.md §2): we listen on 127.0.0.1 (default port 1717, path `/OauthRedirect`), the
//! caller opens [`WebLogin::authorize_url`] in the system browser, Salesforce redirects the
//! browser back to us with `code` and `state`, we check the state (CSRF), exchange the code
//! with the PKCE verifier, and answer the browser with a friendly page saying how it went.
//!
//! The redirect URI says `localhost` (what PlatformCLI's callback is registered as) while the
//! socket is bound to 127.0.0.1 only, so nothing off this machine can reach it.

use std::collections::HashMap;
use std::time::Duration;

use oauth2::{
    AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::{OAuthConfig, OAuthHttp, TokenSet, auth_client, login_error, oauth_http, token_set};
use crate::error::{Error, Result};
use crate::sensitive::Sensitive;

/// The sf CLI's loopback port.
pub const DEFAULT_PORT: u16 = 1717;
/// The sf CLI's redirect path.
pub const DEFAULT_PATH: &str = "/OauthRedirect";
/// How long the browser login may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Settings of one browser login.
#[derive(Debug, Clone)]
pub struct WebLoginConfig {
    pub oauth: OAuthConfig,
    /// Loopback port; 0 picks a free one (the connected app must then allow it).
    pub port: u16,
    pub path: String,
    /// Host name written into the redirect URI (`localhost`, as PlatformCLI's callback is).
    pub redirect_host: String,
    pub timeout: Duration,
    /// Pre-fills the username on the login page.
    pub login_hint: Option<String>,
}

impl WebLoginConfig {
    pub fn new(oauth: OAuthConfig) -> Self {
        Self {
            oauth,
            port: DEFAULT_PORT,
            path: DEFAULT_PATH.to_owned(),
            redirect_host: "localhost".to_owned(),
            timeout: DEFAULT_TIMEOUT,
            login_hint: None,
        }
    }
}

/// A started browser login: open `authorize_url`, then [`WebLogin::wait`].
pub struct WebLogin {
    pub authorize_url: Url,
    pub redirect_uri: String,
    listener: TcpListener,
    state: Sensitive<String>,
    verifier: PkceCodeVerifier,
    config: WebLoginConfig,
}

impl std::fmt::Debug for WebLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebLogin")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// Binds the loopback listener and builds the authorize URL (PKCE S256 + random state).
pub async fn start_web_login(config: WebLoginConfig) -> Result<WebLogin> {
    let addr = format!("127.0.0.1:{}", config.port);
    let listener = TcpListener::bind(&addr)
        .await
        .map_err(|e| Error::LoopbackBind {
            addr: addr.clone(),
            reason: e.to_string(),
        })?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::LoopbackBind {
            addr: addr.clone(),
            reason: e.to_string(),
        })?
        .port();
    let path = if config.path.starts_with('/') {
        config.path.clone()
    } else {
        format!("/{}", config.path)
    };
    let redirect_uri = format!("http://{}:{port}{path}", config.redirect_host);
    let redirect = RedirectUrl::new(redirect_uri.clone()).map_err(|e| Error::InvalidUrl {
        url: redirect_uri.clone(),
        reason: e.to_string(),
    })?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let client = auth_client(&config.oauth)?.set_redirect_uri(redirect);
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .add_extra_param("prompt", "login")
        .add_scopes(config.oauth.scopes.iter().map(|s| Scope::new(s.clone())));
    if let Some(hint) = &config.login_hint {
        request = request.add_extra_param("login_hint", hint.clone());
    }
    let (authorize_url, state) = request.url();
    let config = WebLoginConfig { path, ..config };
    Ok(WebLogin {
        authorize_url,
        redirect_uri,
        listener,
        state: Sensitive::new(state.secret().clone()),
        verifier,
        config,
    })
}

impl WebLogin {
    /// Waits for the browser's redirect (up to the configured timeout, or until `cancel`),
    /// exchanges the code and returns the tokens. The browser is told the outcome either way.
    pub async fn wait(self, cancel: CancellationToken) -> Result<TokenSet> {
        let timeout = self.config.timeout;
        tokio::select! {
            _ = cancel.cancelled() => Err(Error::LoginCancelled),
            _ = tokio::time::sleep(timeout) => Err(Error::LoginTimedOut(timeout)),
            result = self.serve() => result,
        }
    }

    /// Accepts connections concurrently (browsers open idle "preconnect" sockets, which must
    /// not hold up the real redirect) and handles complete requests one at a time.
    async fn serve(self) -> Result<TokenSet> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(TcpStream, String, String)>(8);
        let mut readers = tokio::task::JoinSet::new();
        loop {
            let (mut stream, method, target) = tokio::select! {
                accepted = self.listener.accept() => {
                    while readers.try_join_next().is_some() {}
                    if let Ok((mut stream, _)) = accepted {
                        let tx = tx.clone();
                        readers.spawn(async move {
                            if let Some((method, target)) = read_request(&mut stream).await {
                                let _ = tx.send((stream, method, target)).await;
                            }
                        });
                    }
                    continue;
                }
                Some(request) = rx.recv() => request,
            };
            let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
            if method != "GET" {
                respond(
                    &mut stream,
                    "405 Method Not Allowed",
                    "Only GET is served here.",
                )
                .await;
                continue;
            }
            if path != self.config.path {
                respond(&mut stream, "404 Not Found", "Not found.").await;
                continue;
            }
            let params: HashMap<String, String> = form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let outcome = self.handle(&params).await;
            let page = match &outcome {
                Ok(_) => page(
                    true,
                    "You are connected",
                    "Orgfleet is now connected to your org. You can close this tab and go back to Orgfleet.",
                ),
                Err(e) => page(false, "Connection failed", &e.to_string()),
            };
            write_html(
                &mut stream,
                if outcome.is_ok() {
                    "200 OK"
                } else {
                    "400 Bad Request"
                },
                &page,
            )
            .await;
            return outcome;
        }
    }

    async fn handle(&self, params: &HashMap<String, String>) -> Result<TokenSet> {
        if params.get("state").map(String::as_str) != Some(self.state.expose().as_str()) {
            return Err(Error::StateMismatch);
        }
        if let Some(error) = params.get("error") {
            return Err(Error::LoginDenied {
                error: error.clone(),
                description: params.get("error_description").cloned().unwrap_or_default(),
            });
        }
        let Some(code) = params.get("code").filter(|c| !c.is_empty()) else {
            return Err(Error::unexpected("login redirect", "no authorization code"));
        };
        let redirect =
            RedirectUrl::new(self.redirect_uri.clone()).map_err(|e| Error::InvalidUrl {
                url: self.redirect_uri.clone(),
                reason: e.to_string(),
            })?;
        let client = auth_client(&self.config.oauth)?.set_redirect_uri(redirect);
        let http = OAuthHttp(oauth_http()?);
        let verifier = PkceCodeVerifier::new(self.verifier.secret().clone());
        let response = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .map_err(|e| login_error(e, self.config.oauth.login_host.url().as_str()))?;
        token_set(response, None)
    }
}

/// Reads the request head (bounded) and returns (method, target).
async fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    let read = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 32 * 1024 {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .ok()??;
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next()?.split_whitespace();
    Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
}

async fn respond(stream: &mut TcpStream, status: &str, text: &str) {
    write_html(stream, status, &page(false, text, "")).await;
}

async fn write_html(stream: &mut TcpStream, status: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page the browser shows after the redirect.
fn page(ok: bool, title: &str, message: &str) -> String {
    let colour = if ok { "#2e844a" } else { "#ba0517" };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Orgfleet — {title}</title>\
         <style>body{{font-family:system-ui,sans-serif;background:#f3f3f3;display:flex;\
         justify-content:center;padding-top:15vh}}main{{background:#fff;border-radius:8px;\
         padding:2rem 3rem;max-width:36rem;box-shadow:0 2px 8px #0002}}\
         h1{{color:{colour};font-size:1.4rem}}</style></head>\
         <body><main><h1>{}</h1><p>{}</p></main></body></html>",
        escape(title),
        escape(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_messages() {
        let html = page(false, "Connection failed", "<script>x</script>");
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    }
}
