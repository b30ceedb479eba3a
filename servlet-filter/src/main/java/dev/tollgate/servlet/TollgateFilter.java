package dev.tollgate.servlet;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.Header;
import dev.tollgate.core.PageSizeOutcome;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.Verdict;
import dev.tollgate.core.adapter.EngineSource;
import dev.tollgate.core.adapter.FailOpen;
import dev.tollgate.core.adapter.ManagedEngine;
import dev.tollgate.core.adapter.SharedNames;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A servlet filter that applies Tollgate's rate limits and page-size limits to every request it is
 * mapped to. Map it first, on {@code /*}, with {@code <async-supported>true</async-supported>}.
 *
 * <h2>Configuration from {@code web.xml}</h2>
 *
 * <p>With the no-argument constructor (how a container creates a filter declared in {@code
 * web.xml}) the configuration comes from init-params:
 *
 * <ul>
 *   <li>{@value #CONFIG_PARAM}: where a configuration file in core's properties format is: {@code
 *       classpath:tollgate.properties} (the class path), {@code /WEB-INF/tollgate.properties} (a
 *       resource of the web application; if there is none, the file at that absolute path), or a
 *       file path ({@code file:} prefix optional; relative paths are relative to the working
 *       directory).
 *   <li>Every other init-param is a configuration key, exactly as in the file, e.g. {@code limits =
 *       100/1m, 10000/24h rolling}, {@code client.key = header:X-Api-Key, ip}, {@code
 *       page-size.default = 20}, {@code page-size.max = 1000}, {@code headers.dialects = ietf,
 *       teos}.
 * </ul>
 *
 * <p>With both, the file is read first and init-params override its keys. With neither, core's
 * defaults apply (100 requests per minute per client IP, page size 20, maximum 1000, IETF headers).
 *
 * <p>A value that cannot be used fails {@link #init(FilterConfig)} with a {@link ServletException}
 * whose message names the key, the value and where it was set, so the container refuses to start
 * the application and logs why. Nothing about the configuration is checked per request.
 *
 * <h2>Registration in code</h2>
 *
 * <pre>{@code
 * TollgateConfig config = TollgateConfig.builder().defaultRule(...).build();
 * FilterRegistration.Dynamic tollgate = servletContext.addFilter("tollgate", new TollgateFilter(config));
 * tollgate.setAsyncSupported(true);
 * tollgate.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
 * }</pre>
 *
 * <p>A filter created with a configuration or an engine reads no init-params and refuses to start
 * if it is given any.
 *
 * <h2>Per request</h2>
 *
 * <p>The filter decides each request once, on its {@link DispatcherType#REQUEST} dispatch. It marks
 * the request with the attribute {@value #COUNTED_ATTRIBUTE} ({@link Boolean#TRUE}) and passes any
 * request that already carries it, or that is a forward, include, error or async dispatch, straight
 * on; the Tollgate JAX-RS provider honours the same attribute, so a request is never counted twice.
 *
 * <ul>
 *   <li>Admitted: the rate-limit headers are set on the response <em>before</em> the chain runs (so
 *       they are sent even when the application commits the response early), and the application
 *       sees the effective page size through {@code getParameter}, {@code getParameterValues},
 *       {@code getParameterMap}, {@code getParameterNames} and {@code getQueryString}.
 *   <li>Not admitted (429 over a limit or the per-client concurrency limit, 403 for a suspended
 *       client, 400 for an invalid page size where the rule rejects, 503 if the store is down and
 *       the rule fails closed): the status, the headers ({@code Retry-After} on 429 and 503) and an
 *       {@code application/problem+json} body are written and the chain is not called.
 *   <li>The quota status path ({@code status.path}): the caller's quota document is answered as
 *       {@code application/json} and nothing is counted. Containers run filters only for requests
 *       some servlet is mapped to; the default servlet of a standard Tomcat or Jetty covers every
 *       path, otherwise map any servlet to the status path.
 * </ul>
 *
 * <p>With {@code concurrency.max-per-client}, a request holds its client's slot until the chain
 * returns or, if the application started async processing, until the async context completes (or
 * times out or fails). At the same point a request is charged what it cost, for limits in time, CPU
 * or bytes and rules that count by outcome: time until then, the CPU time of the request thread
 * until the chain returned, the body bytes the application wrote (counted through a response
 * wrapper only for requests under a limit in bytes), and the response's status.
 *
 * <p>With {@code reload.interval} set and the configuration in a file on disk (a file path, or a
 * {@code /WEB-INF/} file of an unpacked application), the file is watched and a valid change
 * applied without a restart; an invalid one is logged and the running configuration stays. The
 * engine is published as the servlet context attribute {@value #ENGINE_ATTRIBUTE} for run-time
 * operations.
 *
 * <p>Page sizes are read with {@code getParameterValues}, which for a form-encoded POST makes the
 * container parse the body, as any parameter access does.
 *
 * <p>If the engine fails unexpectedly (a bug, not a store outage, which each rule's {@code
 * on-store-failure} policy covers), the filter logs a warning at most once a minute and lets the
 * request through unlimited: it never answers 500 because of itself.
 *
 * <p>Thread-safe; the filter keeps no per-request state in fields.
 */
public final class TollgateFilter implements Filter {

  /** The init-param naming a configuration file. */
  public static final String CONFIG_PARAM = "config";

  /**
   * The request attribute that marks a request as already decided by Tollgate. Set to {@link
   * Boolean#TRUE} before the decision; any Tollgate adapter that finds it lets the request pass
   * without counting it again.
   */
  public static final String COUNTED_ATTRIBUTE = SharedNames.COUNTED;

  /**
   * The servlet context attribute under which the filter publishes its {@link Tollgate}, so that
   * the application can reach it at run time: {@code reconfigure}, {@code suspensions()}, {@code
   * heaviestClients}.
   */
  public static final String ENGINE_ATTRIBUTE = SharedNames.ENGINE;

  private static final System.Logger LOG = System.getLogger(TollgateFilter.class.getName());

  private final EngineSource source;
  // On the engine's clock (the system clock until there is an engine).
  private final FailOpen failOpen =
      new FailOpen(
          LOG,
          () -> {
            Tollgate engine = engine();
            return engine != null ? engine.clock().millis() : System.currentTimeMillis();
          });

  private volatile @Nullable ManagedEngine managed;

  /**
   * For {@code web.xml}: the configuration is read from init-params in {@link #init(FilterConfig)}.
   */
  public TollgateFilter() {
    this.source = EngineSource.settings();
  }

  /**
   * For registration in code: the filter creates its engine from {@code config} in {@link
   * #init(FilterConfig)} and closes it in {@link #destroy()}.
   */
  public TollgateFilter(TollgateConfig config) {
    this.source = EngineSource.of(config);
  }

  /**
   * For registration in code with an engine the caller built (for example with its own store or
   * clock, or shared with the JAX-RS provider). The engine stays the caller's: {@link #destroy()}
   * does not close it.
   */
  public TollgateFilter(Tollgate tollgate) {
    this.source = EngineSource.of(tollgate);
    this.managed = ManagedEngine.borrowed(tollgate);
  }

  /**
   * Reads the configuration and creates the engine.
   *
   * @throws ServletException naming the key and value, if the configuration cannot be used or the
   *     configuration file cannot be read
   */
  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    String owner = "Tollgate filter '" + filterConfig.getFilterName() + "'";
    if (source.givenInCode()) {
      requireNoInitParams(filterConfig, owner);
    }
    try {
      managed = source.start(owner, () -> InitParams.start(filterConfig, owner));
    } catch (ConfigException e) {
      throw new ServletException(owner + " cannot start: " + e.getMessage(), e);
    }
    filterConfig.getServletContext().setAttribute(ENGINE_ATTRIBUTE, engine());
  }

  private static void requireNoInitParams(FilterConfig filterConfig, String owner)
      throws ServletException {
    List<String> params = Collections.list(filterConfig.getInitParameterNames());
    if (!params.isEmpty()) {
      throw new ServletException(
          owner
              + " was created with a configuration in code and takes no init-params, but has "
              + String.join(", ", params));
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    Tollgate engine = engine();
    if (engine == null
        || !(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)
        || request.getDispatcherType() != DispatcherType.REQUEST
        || request.getAttribute(COUNTED_ATTRIBUTE) != null) {
      chain.doFilter(req, res);
      return;
    }
    request.setAttribute(COUNTED_ATTRIBUTE, Boolean.TRUE);

    Verdict verdict;
    try {
      verdict = engine.check(new ServletRequestView(request));
    } catch (RuntimeException | Error e) {
      failOpen.failed(e);
      passUnlimited(engine, request, response, chain);
      return;
    }
    // setHeader, so that a value set earlier in the chain is replaced.
    verdict.writeHeaders(response::setHeader);
    if (verdict.proceed()) {
      AdmittedRequest.run(request, response, chain, verdict);
    } else {
      // A verdict that does not proceed always has a body.
      ProblemResponse.write(
          response,
          verdict.status(),
          Objects.requireNonNull(verdict.body(), "body"),
          verdict.contentType());
    }
  }

  /** Closes the engine if this filter created it. */
  @Override
  public void destroy() {
    ManagedEngine m = managed;
    if (m != null) {
      m.close();
    }
  }

  static void setHeaders(HttpServletResponse response, List<Header> headers) {
    Set<String> set = headers.size() > 1 ? new HashSet<>() : null;
    for (Header h : headers) {
      // setHeader so that a value set earlier in the chain is replaced; addHeader for a repeated
      // name.
      if (set == null || set.add(h.name().toLowerCase(Locale.ROOT))) {
        response.setHeader(h.name(), h.value());
      } else {
        response.addHeader(h.name(), h.value());
      }
    }
  }

  /**
   * The engine could not decide the rate limits: the request goes on unlimited, but its page size
   * still holds (it needs no client key nor store), so the application never sees one above the
   * maximum.
   */
  private static void passUnlimited(
      Tollgate engine, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    PageSizeOutcome pageSize;
    try {
      pageSize = engine.pageSize(new ServletRequestView(request), null);
    } catch (RuntimeException e) {
      pageSize = PageSizeOutcome.disabled();
    }
    if (pageSize.rejected()) {
      ProblemResponse.write(
          response,
          400,
          Objects.requireNonNull(pageSize.problemBody(), "a rejected page size has a body"),
          Verdict.PROBLEM_JSON);
      return;
    }
    chain.doFilter(
        pageSize.changesRequest() ? new PageSizeRequest(request, pageSize) : request, response);
  }

  /** For tests: the engine in use, or {@code null} before init and after destroy. */
  @Nullable Tollgate engine() {
    ManagedEngine m = managed;
    return m == null ? null : m.engine();
  }
}
