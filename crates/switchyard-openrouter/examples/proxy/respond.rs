//! Sending an [`Answer`] to the client: a whole body, or an upstream
//! stream relayed as it arrives.

use std::io::{self, Read, Write};

use serde_json::json;
use switchyard_openrouter::parse_stream_final_chunk;
use tiny_http::{Header, Request, Response};

use super::answer::Answer;
use super::Proxy;

/// How much of the end of a stream is kept to read its usage chunk.
const STREAM_TAIL_BYTES: usize = 64 * 1024;

impl Proxy {
    /// Sends the answer to the client.
    pub(super) fn respond(&self, request: Request, answer: Answer) -> io::Result<()> {
        match answer {
            Answer::Full {
                status,
                content_type,
                headers,
                body,
                ..
            } => {
                let mut response = Response::from_data(body).with_status_code(status);
                for (name, value) in
                    std::iter::once(("Content-Type".to_string(), content_type)).chain(headers)
                {
                    if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                        response.add_header(h);
                    }
                }
                request.respond(response)
            }
            Answer::Stream {
                status,
                content_type,
                headers,
                body,
                chain,
                attempt,
            } => {
                let tail = relay_stream(request, status, &content_type, &headers, body)?;
                // The tail may start inside a character: read it lossily.
                let outcome = parse_stream_final_chunk(&String::from_utf8_lossy(&tail), None).ok();
                self.account_success(&chain, attempt, outcome.as_ref().map(|o| o.model.as_str()));
                Ok(())
            }
        }
    }
}

/// Relays an upstream stream to the client as it arrives, chunk by chunk,
/// flushing each. Returns the stream's last bytes (where its usage chunk
/// is).
fn relay_stream(
    request: Request,
    status: u16,
    content_type: &str,
    headers: &[(String, String)],
    body: ureq::Body,
) -> io::Result<Vec<u8>> {
    let mut out = request.into_writer();
    let mut head = format!(
        "HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\nCache-Control: no-cache\r\n\
         Transfer-Encoding: chunked\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.flush()?;

    let mut reader = body.into_reader();
    let mut buf = vec![0u8; 16 * 1024];
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // No fallback is possible once bytes went out: report it
                // in-band, as OpenRouter does.
                let event = format!(
                    "data: {}\n\n",
                    json!({ "error": { "code": 502, "message": format!("the upstream stream broke: {e}") } })
                );
                write_chunk(&mut out, event.as_bytes())?;
                break;
            }
        };
        let data = buf.get(..n).unwrap_or_default();
        write_chunk(&mut out, data)?;
        tail.extend_from_slice(data);
        if tail.len() > STREAM_TAIL_BYTES {
            tail.drain(..tail.len() - STREAM_TAIL_BYTES);
        }
    }
    out.write_all(b"0\r\n\r\n")?;
    out.flush()?;
    Ok(tail)
}

fn write_chunk(out: &mut dyn Write, data: &[u8]) -> io::Result<()> {
    write!(out, "{:x}\r\n", data.len())?;
    out.write_all(data)?;
    out.write_all(b"\r\n")?;
    out.flush()
}
