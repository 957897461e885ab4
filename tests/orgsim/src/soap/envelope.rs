//! SOAP 1.1 envelopes for the Metadata API (shared by every SOAP operation in orgsim).
//!
//! Parsing is as lenient as Salesforce's: any prefixes (`soapenv:`, `soap:`, `met:`, none),
//! namespaces declared anywhere, and the operation is the FIRST child element of `<Body>` —
//! never the URL or SOAPAction (metadata-soap.md §1). The session comes from
//! `Header/SessionHeader/sessionId`. Responses use the metadata namespace as the default
//! namespace; faults use the documented `sf:<CODE>` shape with HTTP 500 (§8). A request that
//! is not a SOAP envelope at all gets a `soapenv:Client` fault carrying the parser's message,
//! as a SOAP stack does (exact wording **UNCONFIRMED**); it never panics.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
pub use orgfleet_metadata::xml::{Element, METADATA_NS, escape_attr, escape_text};

use crate::server::{SessionInfo, Sim};

pub const SOAPENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// A parsed request envelope.
#[derive(Debug, Clone)]
pub struct SoapRequest {
    /// Local name of the first child of `<Body>`, e.g. `listMetadata`.
    pub operation: String,
    /// `SessionHeader/sessionId`, trimmed; `None` when absent or empty.
    pub session_id: Option<String>,
    /// The operation element itself (`<listMetadata>…</listMetadata>`), prefixes stripped.
    pub body: Element,
    /// The `<Header>` element, if any (CallOptions, DebuggingHeader, ...).
    pub header: Option<Element>,
}

impl SoapRequest {
    /// Parses a request body. Errors are already rendered as the fault to return.
    #[allow(clippy::result_large_err)] // the error IS the wire response (a SOAP fault)
    pub fn parse(bytes: &[u8]) -> Result<SoapRequest, Response> {
        let root =
            Element::parse_bytes(bytes, "request").map_err(|e| client_fault(&e.to_string()))?;
        if root.name != "Envelope" {
            return Err(client_fault(&format!(
                "Unable to find envelope: root element is <{}>",
                root.name
            )));
        }
        let header = root.child("Header").cloned();
        let body = root
            .child("Body")
            .ok_or_else(|| client_fault("Unable to find body in the SOAP envelope"))?;
        let op = body
            .elements()
            .next()
            .ok_or_else(|| client_fault("No operation found in the SOAP body"))?;
        let session_id = header
            .as_ref()
            .and_then(|h| h.child("SessionHeader"))
            .and_then(|s| s.child_text("sessionId"))
            .filter(|s| !s.is_empty());
        Ok(SoapRequest {
            operation: op.name.clone(),
            session_id,
            body: op.clone(),
            header,
        })
    }

    /// Trimmed text of a direct child of the operation element.
    pub fn arg(&self, name: &str) -> Option<String> {
        self.body.child_text(name)
    }

    /// The session for `org_id`, or the INVALID_SESSION_ID fault to return.
    #[allow(clippy::result_large_err)] // the error IS the wire response (a SOAP fault)
    pub fn require_session(&self, sim: &Sim, org_id: &str) -> Result<SessionInfo, Response> {
        self.session_id
            .as_deref()
            .and_then(|token| sim.session_for(org_id, token))
            .ok_or_else(invalid_session)
    }
}

/// The fault for a missing, unknown, expired or other-org session.
pub fn invalid_session() -> Response {
    fault(
        "INVALID_SESSION_ID",
        "Invalid Session ID found in SessionHeader: Illegal Session",
    )
}

/// A Salesforce fault: `faultcode` `sf:<code>`, `faultstring` `<code>: <message>`, detail
/// `sf:UnexpectedErrorFault{exceptionCode, exceptionMessage}`, HTTP 500.
pub fn fault(code: &str, message: &str) -> Response {
    let code_e = escape_text(code);
    let msg_e = escape_text(message);
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{SOAPENV_NS}\" \
         xmlns:sf=\"{METADATA_NS}\" xmlns:xsi=\"{XSI_NS}\"><soapenv:Body><soapenv:Fault>\
         <faultcode>sf:{code_e}</faultcode><faultstring>{code_e}: {msg_e}</faultstring><detail>\
         <sf:UnexpectedErrorFault xsi:type=\"sf:UnexpectedErrorFault\"><sf:exceptionCode>{code_e}\
         </sf:exceptionCode><sf:exceptionMessage>{msg_e}</sf:exceptionMessage>\
         </sf:UnexpectedErrorFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    );
    xml_response(StatusCode::INTERNAL_SERVER_ERROR, body)
}

/// A SOAP-stack fault (`soapenv:Client`) for requests that are not valid envelopes or name
/// no operation of this endpoint.
pub fn client_fault(message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{SOAPENV_NS}\">\
         <soapenv:Body><soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>{}\
         </faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>",
        escape_text(message)
    );
    xml_response(StatusCode::INTERNAL_SERVER_ERROR, body)
}

/// The fault for an operation the endpoint does not have.
pub fn unknown_operation(operation: &str) -> Response {
    client_fault(&format!(
        "No operation available for request {{{METADATA_NS}}}{operation}, please check the WSDL for the service."
    ))
}

/// A successful response: `<{operation}Response>{inner_xml}</{operation}Response>` in the
/// metadata default namespace (`xmlns:xsi` declared for polymorphic records).
pub fn ok(operation: &str, inner_xml: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{SOAPENV_NS}\" \
         xmlns=\"{METADATA_NS}\" xmlns:xsi=\"{XSI_NS}\"><soapenv:Body><{operation}Response>{inner_xml}\
         </{operation}Response></soapenv:Body></soapenv:Envelope>"
    );
    xml_response(StatusCode::OK, body)
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    response
}

/// Builds response XML with escaping; elements are written in the order called (callers
/// write WSDL sequences alphabetically).
#[derive(Debug, Default)]
pub struct XmlWriter {
    buf: String,
}

impl XmlWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// `<name>`.
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push('>');
        self
    }

    /// `<name attr="v" ...>` (values escaped).
    pub fn open_with(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(name);
        for (k, v) in attrs {
            self.buf.push_str(&format!(" {k}=\"{}\"", escape_attr(v)));
        }
        self.buf.push('>');
        self
    }

    /// `</name>`.
    pub fn close(&mut self, name: &str) -> &mut Self {
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
        self
    }

    /// `<name>text</name>` (escaped).
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        self.buf.push_str(&escape_text(text));
        self.close(name)
    }

    /// A leaf only when `text` is `Some`.
    pub fn leaf_opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(t) = text {
            self.leaf(name, t);
        }
        self
    }

    pub fn leaf_bool(&mut self, name: &str, value: bool) -> &mut Self {
        self.leaf(name, if value { "true" } else { "false" })
    }

    /// An element from a tree, compact.
    pub fn element(&mut self, el: &Element) -> &mut Self {
        el.write_compact(&mut self.buf);
        self
    }

    /// Pre-escaped XML, appended as is.
    pub fn raw(&mut self, xml: &str) -> &mut Self {
        self.buf.push_str(xml);
        self
    }

    pub fn finish(self) -> String {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_jsforce_and_prefixed_envelopes() {
        let jsforce = format!(
            "<soapenv:Envelope xmlns:soapenv=\"{SOAPENV_NS}\"><soapenv:Header xmlns=\"{METADATA_NS}\">\
             <SessionHeader><sessionId> tok </sessionId></SessionHeader></soapenv:Header>\
             <soapenv:Body xmlns=\"{METADATA_NS}\"><listMetadata><queries><type>ApexClass</type>\
             </queries></listMetadata></soapenv:Body></soapenv:Envelope>"
        );
        let req = SoapRequest::parse(jsforce.as_bytes()).unwrap();
        assert_eq!(req.operation, "listMetadata");
        assert_eq!(req.session_id.as_deref(), Some("tok"));
        let prefixed = "<soap:Envelope xmlns:soap=\"x\" xmlns:met=\"y\"><soap:Header><met:SessionHeader>\
             <met:sessionId>abc</met:sessionId></met:SessionHeader></soap:Header><soap:Body>\
             <met:describeMetadata><met:asOfVersion>63.0</met:asOfVersion></met:describeMetadata>\
             </soap:Body></soap:Envelope>";
        let req = SoapRequest::parse(prefixed.as_bytes()).unwrap();
        assert_eq!(req.operation, "describeMetadata");
        assert_eq!(req.arg("asOfVersion").as_deref(), Some("63.0"));
        assert_eq!(req.session_id.as_deref(), Some("abc"));
    }

    #[test]
    fn malformed_envelopes_fault() {
        for bad in [
            "",
            "garbage",
            "<Envelope>",
            "<Foo/>",
            "<E:Envelope xmlns:E=\"x\"/>",
            "<Envelope><Body/></Envelope>",
        ] {
            let resp = SoapRequest::parse(bad.as_bytes()).unwrap_err();
            assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR, "{bad:?}");
        }
    }

    #[test]
    fn writer_escapes() {
        let mut w = XmlWriter::new();
        w.open("a")
            .leaf("b", "x<&>y")
            .leaf_bool("c", true)
            .leaf_opt("d", None)
            .close("a");
        assert_eq!(w.finish(), "<a><b>x&lt;&amp;&gt;y</b><c>true</c></a>");
    }
}
