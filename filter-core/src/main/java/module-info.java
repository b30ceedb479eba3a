/**
 * Tollgate's engine: policies, algorithms, stores, client keys, page-size rules, header dialects
 * and configuration, with no servlet or JAX-RS types.
 *
 * <p>{@code dev.tollgate.core.internal} is not exported, and {@code dev.tollgate.core.adapter} is
 * exported only to Tollgate's own adapters. On the class path (a WAR in a servlet container) this
 * descriptor is ignored; see the README's "Java modules" note.
 */
// "module": the adapter modules named below are compiled after this one. "requires-automatic":
// Micrometer and resilience4j have no descriptor, only a stable Automatic-Module-Name.
@SuppressWarnings({"module", "requires-automatic"})
module dev.tollgate.core {
  exports dev.tollgate.core;
  exports dev.tollgate.core.store;
  exports dev.tollgate.core.micrometer;
  exports dev.tollgate.core.resilience4j;
  exports dev.tollgate.core.adapter to
      dev.tollgate.servlet,
      dev.tollgate.jaxrs;

  uses dev.tollgate.core.store.RateLimitStoreProvider;

  // JdbcPlanResolver.of takes a javax.sql.DataSource.
  requires transitive java.sql;
  requires java.management;
  requires java.naming;
  requires com.github.benmanes.caffeine;
  // Annotations on public signatures (@Nullable), not needed at run time.
  requires static transitive org.jspecify;
  // Optional: MicrometerMetrics takes a MeterRegistry, Resilience4jLimiters a RateLimiterRegistry.
  // Not transitive: that would make every module reading this one need them to compile; a caller
  // that has a registry reads its module already.
  requires static micrometer.core;
  requires static io.github.resilience4j.ratelimiter;
}
