//! The legacy partner SOAP `login` call (`POST /services/Soap/u/NN.0` on the login host,
//! oauth.md §5): username + password (+ security token) in, `LoginResult` out, or a
//! `sf:INVALID_LOGIN` LoginFault. jsforce's `conn.login()` and simple-salesforce use it.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{find_user, mint_access_token, settings};
use crate::login_page::escape;
use crate::server::Sim;

/// Text of the first element with local name `local` (any prefix), XML-unescaped.
fn element_text(xml: &str, local: &str) -> Option<String> {
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        let end = rest.find('>')?;
        let tag = &rest[..end];
        let name = tag.split_whitespace().next().unwrap_or("");
        let bare = name.rsplit(':').next().unwrap_or(name);
        if bare == local && !tag.starts_with('/') {
            if tag.ends_with('/') {
                return Some(String::new());
            }
            let body = &rest[end + 1..];
            let close = body.find(&format!("</{name}>"))?;
            return Some(unescape(&body[..close]));
        }
        rest = &rest[end + 1..];
    }
    None
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn xml(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    response
}

fn fault(code: &str, message: &str) -> Response {
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:sf=\"urn:fault.partner.soap.sforce.com\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>\
             <soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: {msg}</faultstring><detail>\
             <sf:LoginFault xsi:type=\"sf:LoginFault\"><sf:exceptionCode>{code}</sf:exceptionCode>\
             <sf:exceptionMessage>{msg}</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault>\
             </soapenv:Body></soapenv:Envelope>",
            msg = escape(message)
        ),
    )
}

/// `POST /services/Soap/u/{version}`.
pub async fn login(State(sim): State<Sim>, Path(version): Path<String>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    if element_text(&text, "login").is_none() {
        return fault(
            "INVALID_OPERATION",
            "only the login call is served on the login host; use serverUrl for other calls",
        );
    }
    let username = element_text(&text, "username").unwrap_or_default();
    let password = element_text(&text, "password").unwrap_or_default();
    let Some((org_id, user)) = find_user(&sim, username.trim()) else {
        return invalid_login();
    };
    // The password may carry the security token appended; orgsim users have none.
    if !user.is_active || user.password.is_empty() || !password.starts_with(&user.password) {
        return invalid_login();
    }
    let Ok((instance_url, org_name, sandbox)) = sim.with_org(&org_id, |o| {
        (o.instance_url.clone(), o.name.clone(), o.kind.is_sandbox())
    }) else {
        return invalid_login();
    };
    let session = mint_access_token(&sim, &org_id, &user.id);
    let version = version.trim_end_matches('/');
    let org15 = &org_id[..org_id.len().min(15)];
    let profile_id = sim
        .with_org(&org_id, |o| {
            crate::sobjects::profile_id(o, &user.profile_name)
        })
        .unwrap_or_default();
    let seconds = settings(&sim).token_lifetime_secs;
    xml(
        StatusCode::OK,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns=\"urn:partner.soap.sforce.com\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><loginResponse><result>\
             <metadataServerUrl>{instance_url}/services/Soap/m/{version}/{org15}</metadataServerUrl>\
             <passwordExpired>false</passwordExpired><sandbox>{sandbox}</sandbox>\
             <serverUrl>{instance_url}/services/Soap/u/{version}/{org15}</serverUrl>\
             <sessionId>{session}</sessionId><userId>{user_id}</userId><userInfo>\
             <accessibilityMode>false</accessibilityMode><chatterExternal>false</chatterExternal>\
             <currencySymbol>$</currencySymbol><orgAttachmentFileSizeLimit>5242880</orgAttachmentFileSizeLimit>\
             <orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode><orgDefaultCurrencyLocale>en_US</orgDefaultCurrencyLocale>\
             <orgDisallowHtmlAttachments>false</orgDisallowHtmlAttachments><orgHasPersonAccounts>false</orgHasPersonAccounts>\
             <organizationId>{org_id}</organizationId><organizationMultiCurrency>false</organizationMultiCurrency>\
             <organizationName>{org_name}</organizationName><profileId>{profile_id}</profileId><roleId xsi:nil=\"true\"/>\
             <sessionSecondsValid>{seconds}</sessionSecondsValid><userDefaultCurrencyIsoCode xsi:nil=\"true\"/>\
             <userEmail>{email}</userEmail><userFullName>{full_name}</userFullName><userId>{user_id}</userId>\
             <userLanguage>en_US</userLanguage><userLocale>en_US</userLocale><userName>{username}</userName>\
             <userTimeZone>GMT</userTimeZone><userType>Standard</userType><userUiSkin>Theme3</userUiSkin>\
             </userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>",
            user_id = user.id,
            org_name = escape(&org_name),
            email = escape(&user.email),
            full_name = escape(&user.name),
            username = escape(&user.username),
        ),
    )
}

fn invalid_login() -> Response {
    fault(
        "INVALID_LOGIN",
        "Invalid username, password, security token; or user locked out.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_elements_with_any_prefix() {
        let env = "<se:Envelope><se:Body><n1:login xmlns:n1=\"urn:partner.soap.sforce.com\">\
                   <n1:username>a&amp;b@x.test</n1:username><password>p&lt;w</password></n1:login></se:Body></se:Envelope>";
        assert_eq!(element_text(env, "username").as_deref(), Some("a&b@x.test"));
        assert_eq!(element_text(env, "password").as_deref(), Some("p<w"));
        assert!(element_text(env, "login").is_some());
        assert!(element_text(env, "logout").is_none());
    }
}
