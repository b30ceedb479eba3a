package dev.tollgate.example.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code POST /api/billing?key=<API key>&plan=<starter|business>}: the demo's billing moves a
 * tenant to another plan; Tollgate sees it at its next background refresh ({@code
 * plans.cache.refresh}).
 */
public class BillingServlet extends HttpServlet {

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String key = req.getParameter("key");
    String plan = req.getParameter("plan");
    resp.setContentType("text/plain");
    if (key == null || key.isBlank() || plan == null || !DemoBilling.PLANS.contains(plan)) {
      resp.setStatus(400);
      resp.getWriter().print("expected key=<API key>&plan=starter or business");
      return;
    }
    DemoBilling.move(key, plan);
    resp.getWriter().print("moved to " + plan);
  }
}
