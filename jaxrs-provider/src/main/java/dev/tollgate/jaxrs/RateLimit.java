package dev.tollgate.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a resource method (or every method of a resource class) its own limits and page sizes, in
 * addition to the configuration's rules. Active when {@link TollgateFeature} is registered.
 *
 * <pre>{@code
 * @GET
 * @Path("reports")
 * @RateLimit(limits = "10/1m", pageSizeMax = 100)
 * public String reports(@QueryParam("pageSize") int pageSize) { ... }
 * }</pre>
 *
 * <h2>How it combines with the configuration</h2>
 *
 * <p>The annotation is one more rule, decided together with the configuration's rules: a request to
 * an annotated method is admitted only if the default rule, the configured endpoint rules whose
 * path and method match, <em>and</em> the annotation's limits all admit it, and it consumes from
 * all of them or none. The annotation's limits are counted in their own buckets (per rule {@link
 * #name()} and client), so calls to the method still count towards the client's global limits. The
 * client is identified by the configuration's {@code client.key}.
 *
 * <p>If the annotation sets {@link #pageSizeMax()} or {@link #pageSizeDefault()}, its page-size
 * rule replaces the configuration's for this method; the parameter names and the handling of
 * invalid values are the configuration's default rule's (so an invalid value is answered 400 unless
 * {@code page-size.on-invalid=default}). Otherwise the configuration's page-size rule for the path
 * applies.
 *
 * <p>An annotation on a method replaces one on its class. An annotation on a class is one rule,
 * named after the class, whose quota all the class's methods share.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RateLimit {

  /**
   * Limits in the configuration's syntax, comma-separated: {@code "10/1m"}, {@code "10/1m, 100/1h
   * rolling"}, {@code "5/1s token-bucket as burst"}. Default value is none (the annotation only
   * sets page sizes or cost).
   */
  String limits() default "";

  /**
   * The rule name: it keys the counts and appears in headers and problem bodies (for example the
   * IETF policy {@code reports.minute}), so keep it stable. 1 to 64 letters, digits, {@code _ . -};
   * it must not be {@code default} or the name of a configured rule. Default value is {@code
   * SimpleClassName.methodName} for a method and {@code SimpleClassName} for a class (truncated to
   * 64 characters). Methods with the same name share one quota; they must then have the same
   * settings.
   */
  String name() default "";

  /** The largest page size the method receives; -1 (the default) keeps the configuration's. */
  int pageSizeMax() default -1;

  /**
   * The page size the method receives when the client sends none; -1 (the default) keeps the
   * configuration's default, lowered to {@link #pageSizeMax()} if that is smaller.
   */
  int pageSizeDefault() default -1;

  /**
   * Quota units one call takes from every limit in force for the request (the configuration's and
   * the annotation's); -1 (the default) keeps the configuration's cost (1 unless configured).
   */
  int cost() default -1;
}
