package dev.tollgate.jaxrs;

import jakarta.ws.rs.Priorities;

/**
 * The priorities ({@code @Priority}) of the filters {@link TollgateFeature} registers, so that an
 * application can order its own filters around them. JAX-RS runs request filters in ascending and
 * response filters in descending priority order; pre-matching filters all run before any
 * post-matching filter.
 *
 * <p>The rate-limit decision runs after authentication, because a client may be keyed by its
 * principal ({@code client.key=principal, ip}): register an authentication filter with {@link
 * Priorities#AUTHENTICATION} (1000) or any number below {@link #RATE_LIMIT}. It runs before
 * authorization ({@link Priorities#AUTHORIZATION}, 2000), so forbidden requests are counted as
 * well.
 */
public final class TollgatePriorities {

  /**
   * The pre-matching request filter that applies page-size rules by rewriting the request URI:
   * {@code Priorities.HEADER_DECORATOR + 500} = {@value}. It runs after Jersey's own pre-matching
   * filters that change the method or URI (method override, URI-based content negotiation, both at
   * or near {@link Priorities#HEADER_DECORATOR}), so rules see the final method and path, and
   * before application pre-matching filters at {@link Priorities#USER}, so those see the effective
   * page size.
   */
  public static final int PAGE_SIZE = Priorities.HEADER_DECORATOR + 500;

  /**
   * The post-matching request filter that counts the request and answers 429 (or 400 for an invalid
   * page size): {@code Priorities.AUTHENTICATION + 500} = {@value}, after authentication and before
   * authorization.
   */
  public static final int RATE_LIMIT = Priorities.AUTHENTICATION + 500;

  /**
   * The response filter that writes the rate-limit headers (and decides requests that no earlier
   * Tollgate filter decided, such as 404s): {@link Priorities#HEADER_DECORATOR} = {@value}.
   */
  public static final int RESPONSE = Priorities.HEADER_DECORATOR;

  /**
   * The writer interceptor that charges a request and releases its concurrency slot once the entity
   * is written: {@link Priorities#ENTITY_CODER} + 500 = {@value}, inside entity coders such as
   * compression, so that it counts the entity's bytes as written, before compression (as the
   * servlet filter does).
   */
  public static final int RESPONSE_COMPLETION = Priorities.ENTITY_CODER + 500;

  private TollgatePriorities() {}
}
