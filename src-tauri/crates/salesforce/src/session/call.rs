//! The request loop every API call goes through.
//!
//! Order of concerns per attempt: take a concurrency permit, send with the *current* token
//! (SOAP envelopes are rendered per attempt because the session id sits in the body), record
//! `Sforce-Limit-Info`, then classify the answer. An expired session (401, REST
//! `INVALID_SESSION_ID`, SOAP fault `INVALID_SESSION_ID`) is refreshed once and the call
//! replayed — the server never ran it, so this holds for deploys too. 5xx, timeouts and
//! connection errors are retried with backoff only when the call is marked idempotent.

use reqwest::Method;
use reqwest::header::HeaderMap;

use super::{Credentials, Session, policy};
use crate::error::{Error, Result};
use crate::hosts::{check_url, join};
use crate::metadata::xml;

/// What to send.
#[derive(Debug)]
pub(crate) enum Body {
    None,
    Json(serde_json::Value),
    /// A SOAP body (the operation element); the envelope and session header are added per
    /// attempt. `ns` is the API's namespace; `header` holds extra header elements.
    Soap {
        ns: &'static str,
        header: String,
        body: String,
    },
}

/// One API call.
#[derive(Debug)]
pub(crate) struct Call {
    pub method: Method,
    /// A path on the instance (`/services/...`, may carry a query) .
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
    /// Safe to send twice (reads, status checks). Never set for deploys or executeAnonymous.
    pub idempotent: bool,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            idempotent: true,
        }
    }

    pub fn post_json(path: impl Into<String>, value: serde_json::Value) -> Self {
        Self {
            method: Method::POST,
            body: Body::Json(value),
            idempotent: false,
            ..Self::get(path)
        }
    }

    pub fn soap(path: impl Into<String>, ns: &'static str, body: String, idempotent: bool) -> Self {
        Self {
            method: Method::POST,
            body: Body::Soap {
                ns,
                header: String::new(),
                body,
            },
            idempotent,
            ..Self::get(path)
        }
    }

    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    pub fn not_idempotent(mut self) -> Self {
        self.idempotent = false;
        self
    }
}

/// A successful (2xx) answer.
pub(crate) struct Reply {
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: serde::de::DeserializeOwned>(&self, what: &str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::unexpected(what, e))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What a non-2xx answer means.
enum Problem {
    SessionInvalid,
    Retryable { status: u16, detail: String },
    Final(Error),
}

enum Outcome {
    Done(Reply),
    Problem(Problem),
    Transport(reqwest::Error),
}

impl Session {
    pub(crate) async fn execute(&self, call: Call) -> Result<Reply> {
        let max = self.inner.config.retry.max_attempts.max(1);
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            // Per attempt: a refresh may have moved the org to another instance URL.
            let (base, token) = {
                let t = self.read_tokens();
                (t.instance_url.clone(), t.access_token.clone())
            };
            let url = join(&base, &call.path)?;
            check_url(&url)?;
            let outcome = self.attempt(&call, &url, token.expose()).await;
            let retryable_detail = match outcome {
                Outcome::Done(reply) => return Ok(reply),
                Outcome::Problem(Problem::SessionInvalid) if !refreshed => {
                    refreshed = true;
                    self.refresh(&token).await?;
                    attempt -= 1;
                    continue;
                }
                Outcome::Problem(Problem::SessionInvalid) => {
                    return Err(Error::SessionExpired {
                        org: self.label().to_owned(),
                    });
                }
                Outcome::Problem(Problem::Final(e)) => return Err(e),
                Outcome::Problem(Problem::Retryable { status, detail }) => {
                    if !call.idempotent || attempt >= max {
                        return Err(Error::Server {
                            org: self.label().to_owned(),
                            status,
                            attempts: attempt,
                            detail,
                        });
                    }
                    format!("HTTP {status}")
                }
                Outcome::Transport(e) => {
                    let retryable =
                        e.is_connect() || e.is_timeout() || e.is_request() || e.is_body();
                    if !retryable || !call.idempotent || attempt >= max {
                        return Err(Error::Unreachable {
                            host: base.host_str().unwrap_or("the org").to_owned(),
                            attempts: attempt,
                            detail: transport_detail(&e),
                        });
                    }
                    transport_detail(&e)
                }
            };
            let delay = self.inner.config.retry.delay(attempt);
            tracing::debug!(org = %self.label(), attempt, ?delay, reason = %retryable_detail, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(&self, call: &Call, url: &url::Url, token: &str) -> Outcome {
        let Ok(_permit) = self.inner.permits.acquire().await else {
            return Outcome::Problem(Problem::Final(Error::Invalid("session closed".into())));
        };
        let mut request = self.inner.http.request(call.method.clone(), url.clone());
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        let is_soap = matches!(call.body, Body::Soap { .. });
        request = match &call.body {
            Body::None => request.bearer_auth(token),
            Body::Json(v) => request.bearer_auth(token).json(v),
            Body::Soap { ns, header, body } => request
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", "\"\"")
                .body(xml::envelope(ns, token, header, body)),
        };
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Outcome::Transport(e),
        };
        let status = response.status().as_u16();
        self.record_usage(response.headers());
        let body = match response.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) => return Outcome::Transport(e),
        };
        if (200..300).contains(&status) {
            return Outcome::Done(Reply { body });
        }
        Outcome::Problem(self.classify(status, &body, is_soap))
    }

    fn record_usage(&self, headers: &HeaderMap) {
        let Some(usage) = headers
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
            .and_then(policy::parse_limit_info)
        else {
            return;
        };
        *self
            .inner
            .usage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(usage);
    }

    fn classify(&self, status: u16, body: &[u8], is_soap: bool) -> Problem {
        let org = self.label().to_owned();
        if let Some(fault) = xml::parse_fault(body) {
            let code = fault
                .code
                .rsplit(':')
                .next()
                .unwrap_or(&fault.code)
                .to_owned();
            return match code.as_str() {
                "INVALID_SESSION_ID" => Problem::SessionInvalid,
                "REQUEST_LIMIT_EXCEEDED" => Problem::Final(Error::RequestLimitExceeded {
                    org,
                    message: fault.message,
                }),
                _ => Problem::Final(Error::SoapFault {
                    org,
                    fault_code: code,
                    message: fault.message,
                }),
            };
        }
        let (code, message) = rest_error(body);
        if code == "INVALID_SESSION_ID" || (status == 401 && !is_soap) {
            // jsforce does not refresh on this one: the token is fine, the API is not.
            if message.contains("not valid for use with the REST API") {
                return Problem::Final(Error::Api {
                    org,
                    status,
                    error_code: code,
                    message,
                });
            }
            return Problem::SessionInvalid;
        }
        if code == "REQUEST_LIMIT_EXCEEDED" {
            return Problem::Final(Error::RequestLimitExceeded { org, message });
        }
        if status >= 500 {
            return Problem::Retryable {
                status,
                detail: if code.is_empty() {
                    message
                } else {
                    format!("{code}: {message}")
                },
            };
        }
        Problem::Final(Error::Api {
            org,
            status,
            error_code: if code.is_empty() {
                format!("HTTP_{status}")
            } else {
                code
            },
            message,
        })
    }

    /// Gets a new access token, unless another task already did since `failed` was sent.
    async fn refresh(&self, failed: &crate::sensitive::Sensitive<String>) -> Result<()> {
        let _guard = self.inner.refresh_lock.lock().await;
        if self.read_tokens().access_token != *failed {
            return Ok(());
        }
        let label = self.label().to_owned();
        let mut tokens = match &self.inner.credentials {
            Credentials::RefreshToken {
                oauth,
                refresh_token,
            } => {
                // With refresh-token rotation the newest one is in the token set.
                let latest = self.read_tokens().refresh_token.clone();
                let rt = latest.as_ref().unwrap_or(refresh_token);
                crate::oauth::refresh(oauth, rt, &label).await?
            }
            Credentials::Jwt(config) => {
                crate::oauth::jwt::jwt_login(config)
                    .await
                    .map_err(|e| match e {
                        Error::OAuth {
                            error, description, ..
                        } => Error::ReconnectRequired {
                            org: label.clone(),
                            reason: format!("{error}: {description}"),
                        },
                        other => other,
                    })?
            }
            Credentials::None => return Err(Error::SessionExpired { org: label }),
        };
        check_url(&tokens.instance_url)?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = self.read_tokens().refresh_token.clone();
        }
        *self
            .inner
            .tokens
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = tokens.clone();
        tracing::info!(org = %label, "session refreshed");
        if let Some(sink) = &self.inner.sink {
            sink.tokens_refreshed(&label, &tokens);
        }
        Ok(())
    }
}

/// `[{message, errorCode}]`, a bare object, or anything else (text/html → a short excerpt).
pub(crate) fn rest_error(body: &[u8]) -> (String, String) {
    #[derive(serde::Deserialize)]
    struct Item {
        #[serde(default, rename = "errorCode")]
        error_code: String,
        #[serde(default)]
        message: String,
    }
    if let Ok(items) = serde_json::from_slice::<Vec<Item>>(body)
        && let Some(first) = items.into_iter().next()
    {
        return (first.error_code, first.message);
    }
    if let Ok(item) = serde_json::from_slice::<Item>(body) {
        return (item.error_code, item.message);
    }
    let text: String = String::from_utf8_lossy(body).chars().take(200).collect();
    (String::new(), text.trim().to_owned())
}

fn transport_detail(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connection failed"
    } else if e.is_timeout() {
        "timed out"
    } else {
        "transfer failed"
    };
    let mut source = std::error::Error::source(e);
    let mut root = String::new();
    while let Some(s) = source {
        root = s.to_string();
        source = s.source();
    }
    if root.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {root}")
    }
}
