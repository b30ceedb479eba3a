package dev.tollgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sends HTTP/1.1 requests byte for byte over a plain socket, for the hostile requests that {@code
 * java.net.http.HttpClient} refuses to send (CR/LF or control characters in headers, malformed
 * percent-encoding, non-ASCII bytes, huge headers).
 */
public final class RawHttp {

  /** A response as read off the wire. */
  public record Response(int status, List<String[]> headers, String body, String raw) {

    public String header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return h[1];
        }
      }
      return null;
    }

    public List<String> headerNames() {
      List<String> names = new ArrayList<>();
      for (String[] h : headers) {
        names.add(h[0].toLowerCase(Locale.ROOT));
      }
      return names;
    }
  }

  private RawHttp() {}

  /**
   * {@code GET target} with the given extra header lines (each without CRLF), connection closed
   * after.
   */
  public static Response get(int port, String target, String... headerLines) throws IOException {
    StringBuilder r =
        new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headerLines) {
      r.append(h).append("\r\n");
    }
    r.append("Connection: close\r\n\r\n");
    return send(port, r.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** A form-encoded {@code POST target} with {@code body}. */
  public static Response postForm(
      int port, String target, String contentType, byte[] body, String... headerLines)
      throws IOException {
    StringBuilder r =
        new StringBuilder("POST ")
            .append(target)
            .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .append("Content-Type: ")
            .append(contentType)
            .append("\r\n")
            .append("Content-Length: ")
            .append(body.length)
            .append("\r\n");
    for (String h : headerLines) {
      r.append(h).append("\r\n");
    }
    r.append("Connection: close\r\n\r\n");
    byte[] head = r.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return send(port, all);
  }

  /** Writes {@code request} as is and reads the answer until the server closes the connection. */
  public static Response send(int port, byte[] request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // The server may answer (400, 431) and close before reading everything; read what it said.
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      byte[] b = new byte[8192];
      try {
        for (int n; (n = in.read(b)) > 0; ) {
          buf.write(b, 0, n);
        }
      } catch (IOException e) {
        // connection reset after the answer: keep what was read
      }
      return parse(buf.toByteArray());
    }
  }

  private static Response parse(byte[] bytes) {
    String raw = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = raw.indexOf("\r\n\r\n");
    if (!raw.startsWith("HTTP/1.1 ") || end < 0) {
      return new Response(-1, List.of(), "", raw);
    }
    String[] lines = raw.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].substring(9, 12));
    List<String[]> headers = new ArrayList<>();
    boolean chunked = false;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      String name = colon < 0 ? lines[i] : lines[i].substring(0, colon).trim();
      String value = colon < 0 ? "" : lines[i].substring(colon + 1).trim();
      headers.add(new String[] {name, value});
      chunked |= name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked");
    }
    String body = raw.substring(end + 4);
    if (chunked) {
      body = dechunk(body);
    }
    return new Response(
        status,
        headers,
        new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8),
        raw);
  }

  private static String dechunk(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      int eol = s.indexOf("\r\n", i);
      if (eol < 0) {
        break;
      }
      String size = s.substring(i, eol);
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (n == 0) {
        break;
      }
      out.append(s, eol + 2, Math.min(s.length(), eol + 2 + n));
      i = eol + 2 + n + 2;
    }
    return out.toString();
  }
}
