package dev.tollgate.jaxrs;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.adapter.ClassLoaders;
import dev.tollgate.core.adapter.ConfigLocation;
import dev.tollgate.core.adapter.EngineSource;
import dev.tollgate.core.adapter.ManagedEngine;
import dev.tollgate.core.adapter.SharedNames;
import dev.tollgate.core.adapter.WebResources;
import dev.tollgate.jaxrs.internal.ServletPeerAddress;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Protects a Jakarta REST 3.1 application, on Jersey, RESTEasy or Apache CXF, with Tollgate's rate
 * limits and page-size limits, with one registration (from {@code Application.getSingletons()} on
 * any runtime, or with Jersey's {@code ResourceConfig}):
 *
 * <pre>{@code
 * // a configuration file in core's format (see the README's configuration reference)
 * resourceConfig.register(TollgateFeature.fromClasspath("tollgate.properties"));
 * // or a configuration built in code
 * resourceConfig.register(new TollgateFeature(TollgateConfig.builder()...build()));
 * // or an engine built with its own store or clock (the application closes it)
 * resourceConfig.register(new TollgateFeature(Tollgate.builder(config).store(store).build()));
 * }</pre>
 *
 * <p>The feature is also a {@link Provider} with a public no-argument constructor, so package or
 * class-path scanning can find it; it then reads the configuration file named by the application
 * property {@value #CONFIG_PROPERTY} ({@code Application.getProperties()}, a {@code ResourceConfig}
 * property, or a Jersey servlet init-param), by default {@value #DEFAULT_CONFIG_LOCATION}. A
 * location is {@code classpath:<name>} or a file path ({@code file:} prefix optional). A missing or
 * invalid file fails the application's startup with a message naming the location or the key.
 *
 * <h2>What it registers</h2>
 *
 * <ol>
 *   <li>A pre-matching request filter ({@link TollgatePriorities#PAGE_SIZE}) that applies the
 *       page-size rule by rewriting the request URI, so {@code @QueryParam("pageSize") int},
 *       {@code @BeanParam} and {@code UriInfo.getQueryParameters()} all see the effective value.
 *       The rule is the {@link RateLimit} annotation's if the request's path and method lead to an
 *       annotated method (looked up in an index of the resource methods that the runtime hands the
 *       feature's {@code DynamicFeature} at startup), otherwise the configuration's rule for the
 *       path.
 *   <li>A post-matching request filter on every resource method ({@link
 *       TollgatePriorities#RATE_LIMIT}, after authentication, so a client can be keyed by its
 *       principal) that counts the request under the configuration's rules plus the method's {@link
 *       RateLimit} rule, all at once, and aborts with 429 ({@code Retry-After}, the rate-limit
 *       headers and an {@code application/problem+json} body), 400 for an invalid page size where
 *       the rule rejects it, or 503 when the store is down and the rule fails closed.
 *   <li>A response filter ({@link TollgatePriorities#RESPONSE}) that writes the rate-limit headers
 *       on every response, including responses of {@code ExceptionMapper}s and {@code
 *       WebApplicationException}s. Requests no resource method matched (404, 405) and requests an
 *       earlier filter aborted (for example 401 from authentication) are counted here, under the
 *       configuration's rules only; if such a request is over a limit its response becomes the 429.
 * </ol>
 *
 * <p>Paths in the configuration's rules are matched against the path below the application's base
 * URI (what {@code UriInfo.getPath()} returns, with a leading {@code /}): for an application at
 * {@code /api/*}, a rule for {@code GET /api/reports} is written {@code /reports}.
 *
 * <h2>Operations</h2>
 *
 * <ul>
 *   <li>{@code status.path} is relative to the base URI too ({@code /rate_limit} for {@code GET
 *       /api/rate_limit}); it is answered with the caller's quota document as {@code
 *       application/json} and counts nothing.
 *   <li>With {@code reload.interval} set and the configuration in a file on disk ({@link
 *       #fromFile}, or a file location in {@value #CONFIG_PROPERTY}), the file is watched; a valid
 *       change applies without a restart, an invalid one is logged and the running configuration
 *       stays.
 *   <li>A request holds its client's slot under {@code concurrency.max-per-client} until its entity
 *       is written (a {@code WriterInterceptor}, so a streamed entity holds it until it is
 *       streamed), or for a response without an entity until the response filter runs. At the same
 *       point it is charged what it cost, for limits in time, CPU or bytes and rules that count by
 *       outcome: time from the rate-limit decision, body bytes written, the response's status. CPU
 *       time is that of the request thread when the entity is written on it; an {@code
 *       AsyncResponse} resumed on another thread is charged no CPU time (use a time limit there).
 *   <li>The engine is published as the application property {@value #ENGINE_PROPERTY} for {@code
 *       reconfigure}, {@code suspensions()} and {@code heaviestClients}.
 * </ul>
 *
 * <h2>The client's IP address</h2>
 *
 * <p>JAX-RS has no standard way to read the peer address. On a servlet container the provider reads
 * it from an injected {@code HttpServletRequest} (any runtime), on Jersey from Jersey's container
 * request (Grizzly too). Elsewhere (such as the JDK HTTP server) it is unknown: clients that only
 * {@code ip} could identify then share one anonymous quota, and a warning is logged once. Key
 * clients by header, token or principal there.
 *
 * <h2>Runtimes</h2>
 *
 * <p>Everything above is plain Jakarta REST. Jersey and the servlet API are optional: the provider
 * looks their classes up by name before using them. An engine the feature created is closed when
 * the application stops on Jersey only (Jakarta REST has no shutdown callback); on other runtimes
 * pass an engine ({@link #TollgateFeature(Tollgate)}) and close it when the application stops.
 *
 * <h2>Together with the servlet filter</h2>
 *
 * <p>If Tollgate's servlet filter runs in front of the JAX-RS servlet, it marks each request with
 * the attribute {@value #COUNTED_PROPERTY}, which Jakarta REST exposes as a request property; the
 * provider then neither counts the request again nor writes headers (the servlet filter did both).
 * It still applies page sizes, including the annotations', since the servlet filter cannot see
 * annotations. The annotations' limits are then <em>not</em> enforced: install one adapter per
 * application, or express those limits as configuration rules of the servlet filter.
 *
 * <p>An unexpected failure inside Tollgate is logged (at most once a minute) and the request goes
 * on unlimited; the provider never answers 500 because of itself.
 */
@Provider
public final class TollgateFeature implements Feature {

  /** The application property naming the configuration file for the no-argument constructor. */
  public static final String CONFIG_PROPERTY = "tollgate.config";

  /** Where the no-argument constructor looks when {@value #CONFIG_PROPERTY} is not set. */
  public static final String DEFAULT_CONFIG_LOCATION = "classpath:tollgate.properties";

  /**
   * The request property (a servlet request attribute on a servlet container) that marks a request
   * already counted by a Tollgate adapter; the same name as the servlet filter's attribute.
   */
  public static final String COUNTED_PROPERTY = SharedNames.COUNTED;

  /**
   * The application property under which the feature publishes its {@link Tollgate}, so that the
   * application can reach it at run time ({@code reconfigure}, {@code suspensions()}, {@code
   * heaviestClients}): {@code (Tollgate) configuration.getProperty(ENGINE_PROPERTY)} with an
   * injected {@code @Context Configuration}. The same name as the servlet filter's context
   * attribute.
   */
  public static final String ENGINE_PROPERTY = SharedNames.ENGINE;

  private static final System.Logger LOG = System.getLogger(TollgateFeature.class.getName());

  /** Who runs the engine, for messages. */
  private static final String OWNER = "Tollgate JAX-RS provider";

  /** Checked without loading {@link JerseyExtras}, whose loading could need Jersey's classes. */
  private static final boolean JERSEY_PRESENT =
      present("org.glassfish.jersey.InjectionManagerProvider")
          && present("org.glassfish.jersey.server.spi.ContainerLifecycleListener");

  private static final boolean SERVLET_PRESENT = present("jakarta.servlet.http.HttpServletRequest");

  private final EngineSource source;

  /**
   * For discovery as a {@link Provider}: the configuration is read in {@link #configure} from
   * {@value #CONFIG_PROPERTY}, by default {@value #DEFAULT_CONFIG_LOCATION}.
   */
  public TollgateFeature() {
    this(EngineSource.settings());
  }

  /**
   * A feature that creates its engine from {@code config} (with the store the configuration names)
   * when the application starts, and closes it when the application shuts down (on Jersey; see the
   * class comment).
   */
  public TollgateFeature(TollgateConfig config) {
    this(EngineSource.of(config));
  }

  /**
   * A feature using an engine the caller built (for example with its own store or clock, or shared
   * with the servlet filter). The engine stays the caller's: the feature does not close it.
   */
  public TollgateFeature(Tollgate tollgate) {
    this(EngineSource.of(tollgate));
  }

  private TollgateFeature(EngineSource source) {
    this.source = source;
  }

  /**
   * A feature with the configuration in a properties file.
   *
   * @throws ConfigException naming the first key whose value cannot be used
   * @throws UncheckedIOException if the file cannot be read
   */
  public static TollgateFeature fromFile(Path file) {
    ConfigLocation location = ConfigLocation.of(file.toString());
    try {
      return new TollgateFeature(
          EngineSource.of(location.load(WebResources.NONE, Map.of(), ""), file));
    } catch (IOException e) {
      throw unreadable(location, e);
    }
  }

  /**
   * A feature with the configuration in a class-path resource, e.g. {@code tollgate.properties} (in
   * a WAR: {@code WEB-INF/classes/tollgate.properties}).
   *
   * @throws ConfigException naming the first key whose value cannot be used
   * @throws IllegalArgumentException if there is no such resource
   * @throws UncheckedIOException if it cannot be read
   */
  public static TollgateFeature fromClasspath(String resource) {
    return new TollgateFeature(load(ConfigLocation.of("classpath:" + resource)));
  }

  @Override
  public boolean configure(FeatureContext context) {
    ManagedEngine managed = source.start(OWNER, () -> fromSettings(context));
    Tollgate tollgate = Objects.requireNonNull(managed.engine(), "engine"); // not closed yet
    // Jersey is optional: its extras are used only when this application runs on it.
    PeerAddress.Source jersey =
        JERSEY_PRESENT
            ? JerseyExtras.peerAddress(context, ClassLoaders.contextOr(TollgateFeature.class))
            : null;
    if (jersey == null && SERVLET_PRESENT) {
      context.register(ServletPeerAddress.class, ServletPeerAddress.PRIORITY);
    }
    register(context, tollgate, new PeerAddress(jersey == null ? List.of() : List.of(jersey)));
    if (!managed.owned()) {
      return true;
    }
    if (jersey != null) {
      JerseyExtras.onShutdown(context, managed::close);
    } else {
      LOG.log(
          System.Logger.Level.DEBUG,
          "Jakarta REST has no shutdown callback: the engine the feature created"
              + " is closed only with the JVM (pass your own engine to close it on undeploy)");
    }
    return true;
  }

  /** Creates the engine for the configuration file the application names. */
  private static ManagedEngine fromSettings(FeatureContext context) {
    Object property = context.getConfiguration().getProperty(CONFIG_PROPERTY);
    ConfigLocation location =
        ConfigLocation.of(property == null ? DEFAULT_CONFIG_LOCATION : property.toString());
    return ManagedEngine.start(
        load(location), location.watchablePath(WebResources.NONE), Map.of(), OWNER);
  }

  /** The provider's filters, all sharing one {@link Gate}. */
  private static void register(FeatureContext context, Tollgate tollgate, PeerAddress peer) {
    AnnotationRules rules = new AnnotationRules(tollgate.config(), tollgate::reportRule);
    Gate gate = new Gate(tollgate, new PageSizeIndex(), peer);
    context.property(ENGINE_PROPERTY, tollgate);
    context.register(new PageSizeFilter(gate), TollgatePriorities.PAGE_SIZE);
    context.register(new RateLimitBinding(gate, rules));
    context.register(new ResponseFilter(gate), TollgatePriorities.RESPONSE);
    context.register(new ResponseCompletion(gate), TollgatePriorities.RESPONSE_COMPLETION);
  }

  /** True if {@code name} can be linked from the provider's own class loader (not loaded yet). */
  private static boolean present(String name) {
    try {
      Class.forName(name, false, TollgateFeature.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Reads a configuration from a location as {@value #CONFIG_PROPERTY} takes it.
   *
   * @throws IllegalArgumentException if there is no such class-path resource
   * @throws IllegalStateException if there is no such file
   */
  static TollgateConfig load(ConfigLocation location) {
    try {
      return location.load(WebResources.NONE, Map.of(), "");
    } catch (ConfigLocation.NotFoundException e) {
      String message =
          "Tollgate configuration "
              + location
              + " was not found ("
              + e.getMessage()
              + "; set "
              + CONFIG_PROPERTY
              + " to classpath:<name> or a file path)";
      throw location.onClassPath()
          ? new IllegalArgumentException(message, e)
          : new IllegalStateException(message, e);
    } catch (IOException e) {
      throw unreadable(location, e);
    }
  }

  private static UncheckedIOException unreadable(ConfigLocation location, IOException e) {
    return new UncheckedIOException("cannot read the Tollgate configuration " + location, e);
  }
}
