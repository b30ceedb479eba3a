package dev.tollgate.servlet;

import dev.tollgate.core.Verdict;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Runs the chain for an admitted request and completes its verdict once the response is complete,
 * async included: the request is charged what it cost and its client's concurrency slot released.
 */
final class AdmittedRequest {

  private AdmittedRequest() {}

  static void run(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain, Verdict verdict)
      throws IOException, ServletException {
    HttpServletRequest seen =
        verdict.pageSize().changesRequest()
            ? new PageSizeRequest(request, verdict.pageSize())
            : request;
    // Only requests under a limit in bytes pay for counting them.
    ByteCountingResponse counted =
        verdict.countsResponseBytes() ? new ByteCountingResponse(response) : null;
    boolean failed = true;
    try {
      chain.doFilter(seen, counted != null ? counted : response);
      failed = false;
    } finally {
      if (request.isAsyncStarted()) {
        verdict.requestThreadDone();
        request.getAsyncContext().addListener(new CompleteOnEnd(verdict, response, counted));
      } else if (verdict.chargesAfterResponse()) {
        // An exception on its way out becomes a server error.
        verdict.complete(
            failed && response.getStatus() < 400 ? 500 : response.getStatus(),
            counted != null ? counted.bytes() : 0);
      } else {
        verdict.release();
      }
    }
  }

  /**
   * Completes a verdict when an async request ends: charges it on completion, and releases the
   * concurrency slot however it ends (a timeout or error is followed by completion, which then
   * charges).
   */
  private record CompleteOnEnd(
      Verdict verdict, HttpServletResponse response, @Nullable ByteCountingResponse counted)
      implements AsyncListener {

    @Override
    public void onComplete(AsyncEvent event) {
      verdict.complete(response.getStatus(), counted != null ? counted.bytes() : 0);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      verdict.release();
    }

    @Override
    public void onError(AsyncEvent event) {
      verdict.release();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // A new async cycle re-registers its listeners; keep this one attached.
      event.getAsyncContext().addListener(this);
    }
  }
}
