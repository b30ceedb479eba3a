package dev.tollgate.servlet;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes a rejection (429, 400, 403, 503) or the quota status document onto a response. */
final class ProblemResponse {

  private ProblemResponse() {}

  /** The status and, if there is one, the body with its content type. */
  static void write(HttpServletResponse response, int status, String body, String contentType)
      throws IOException {
    response.setStatus(status);
    if (body == null) {
      return;
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setContentType(contentType + ";charset=UTF-8");
    response.setContentLength(bytes.length);
    try {
      response.getOutputStream().write(bytes);
    } catch (IllegalStateException writerInUse) {
      // A filter before this one already took the writer.
      response.getWriter().write(body);
    }
  }
}
