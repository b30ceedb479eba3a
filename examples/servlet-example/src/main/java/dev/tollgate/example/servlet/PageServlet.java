package dev.tollgate.example.servlet;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * One page of a made-up collection: {@code {"page": P, "pageSize": N, "items": [...N items...]}}.
 *
 * <p>The servlet knows nothing about Tollgate. It reads {@code pageSize} with {@code getParameter}
 * like any servlet; the filter in front of it has already replaced the client's value with the
 * effective one (the default if missing, the maximum if too large), so {@code N} is what the
 * configuration allows. The init-param {@code kind} names the items ({@code asset}, {@code
 * report}).
 */
public final class PageServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private String kind;

  @Override
  public void init() throws ServletException {
    kind = getInitParameter("kind");
    if (kind == null || !kind.matches("[a-z]+")) {
      throw new ServletException("init-param kind: '" + kind + "' must be a lower-case word");
    }
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Integer pageSize = positive(req.getParameter("pageSize"));
    Integer page =
        req.getParameter("page") == null ? Integer.valueOf(1) : positive(req.getParameter("page"));
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    if (pageSize == null || page == null) {
      // Not reached for pageSize behind Tollgate; page is the application's own business.
      resp.setStatus(HttpServletResponse.SC_BAD_REQUEST);
      resp.getWriter()
          .print("{\"error\":\"page and pageSize must be whole numbers of at least 1\"}");
      return;
    }
    PrintWriter out = resp.getWriter();
    out.print("{\"page\":" + page + ",\"pageSize\":" + pageSize + ",\"items\":[");
    long first = (long) (page - 1) * pageSize + 1;
    for (int i = 0; i < pageSize; i++) {
      long id = first + i;
      out.print((i == 0 ? "" : ",") + "{\"id\":" + id + ",\"name\":\"" + kind + " " + id + "\"}");
    }
    out.print("]}");
  }

  private static Integer positive(String value) {
    if (value == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(value);
      return n >= 1 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
