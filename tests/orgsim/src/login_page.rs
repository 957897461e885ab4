//! The HTML of the simulated Salesforce login + consent page and of the authorize error page.
//!
//! A browser (or a test playing one) submits this form back to `/services/oauth2/authorize`;
//! the original authorize parameters ride along as hidden fields, as on the real page.

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The login + "Allow Access?" page. `hidden` are the authorize parameters to carry along.
pub fn login_page(
    app_name: &str,
    hidden: &[(String, String)],
    username: &str,
    error: Option<&str>,
) -> String {
    let fields: String = hidden
        .iter()
        .map(|(k, v)| {
            format!(
                "    <input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(k),
                escape(v)
            )
        })
        .collect();
    let error = error
        .map(|e| {
            format!(
                "  <div id=\"error\" class=\"loginError\" role=\"alert\">{}</div>\n",
                escape(e)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Login | Salesforce</title>
  <style>
    body {{ font-family: sans-serif; background: #f3f2f2; }}
    main {{ max-width: 380px; margin: 60px auto; background: #fff; padding: 24px; border-radius: 6px; }}
    label, input {{ display: block; width: 100%; margin-bottom: 10px; }}
    .loginError {{ color: #c23934; margin-bottom: 12px; }}
    .buttons button {{ width: 48%; padding: 8px; }}
  </style>
</head>
<body>
<main>
  <h1>Salesforce</h1>
{error}  <form id="login_form" name="login" method="post" action="/services/oauth2/authorize">
{fields}    <label for="username">Username</label>
    <input id="username" name="username" type="email" value="{username}" autocomplete="username">
    <label for="password">Password</label>
    <input id="password" name="pw" type="password" autocomplete="current-password">
    <h2>Allow Access?</h2>
    <p><strong>{app}</strong> is asking to access your basic information, manage your data and
    perform requests on your behalf at any time.</p>
    <div class="buttons">
      <button type="submit" id="oaapprove" name="action" value="approve">Allow</button>
      <button type="submit" id="oadeny" name="action" value="deny">Deny</button>
    </div>
  </form>
</main>
</body>
</html>
"#,
        username = escape(username),
        app = escape(app_name),
    )
}

/// The page shown when the request cannot be redirected (unknown client, bad redirect_uri).
pub fn error_page(error: &str, description: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error | Salesforce</title></head>\
         <body><main><h1>OAuth Error</h1><p>We can't authorize you because of an OAuth error. \
         For more information, contact your Salesforce administrator.</p>\
         <p id=\"error\">error={}&amp;error_description={}</p></main></body></html>\n",
        escape(error),
        escape(description)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_fields_are_escaped() {
        let page = login_page("App", &[("state".into(), "a\"<b>".into())], "", Some("bad"));
        assert!(page.contains("value=\"a&quot;&lt;b&gt;\""));
        assert!(page.contains("id=\"error\""));
    }
}
