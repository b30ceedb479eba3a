package dev.tollgate.jaxrs;

import dev.tollgate.core.Verdict;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Completes a request's verdict once its entity is written, a streamed entity ({@code
 * StreamingOutput}) included: charges what the request cost (time until now, body bytes written,
 * the status the response filter saw) and releases the client's concurrency slot. Responses without
 * an entity are completed by the {@link ResponseFilter}.
 */
final class ResponseCompletion implements WriterInterceptor {

  private final Gate gate;

  ResponseCompletion(Gate gate) {
    this.gate = gate;
  }

  @Override
  public void aroundWriteTo(WriterInterceptorContext context)
      throws IOException, WebApplicationException {
    Object s = context.getProperty(Gate.STATE_PROPERTY);
    Gate.State state = s instanceof Gate.State ? (Gate.State) s : null;
    Verdict verdict = state == null ? null : state.verdict;
    if (state == null || verdict == null || state.completed) {
      context.proceed();
      return;
    }
    CountingStream counted = null;
    if (verdict.countsResponseBytes()) {
      counted = new CountingStream(context.getOutputStream());
      context.setOutputStream(counted);
    }
    boolean failed = true;
    try {
      context.proceed();
      failed = false;
    } finally {
      try {
        gate.complete(state, failed ? 500 : state.status, counted != null ? counted.bytes : 0);
      } catch (RuntimeException | Error e) {
        gate.failed(e);
      }
    }
  }

  /** Counts the bytes written through it; only for requests under a limit in bytes. */
  private static final class CountingStream extends FilterOutputStream {
    long bytes;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      bytes += len;
    }
  }
}
