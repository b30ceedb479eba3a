package dev.tollgate.core.adapter;

/**
 * The attribute and property names every adapter uses alike, so that two adapters in one
 * application (the servlet filter in front of the JAX-RS provider) see each other's marks.
 */
public final class SharedNames {

  /**
   * Marks a request as already decided by a Tollgate adapter ({@link Boolean#TRUE}): a servlet
   * request attribute, which Jakarta REST shows as a request property.
   */
  public static final String COUNTED = "dev.tollgate.counted";

  /**
   * Where an adapter publishes its engine for run-time operations: a servlet context attribute or a
   * JAX-RS application property.
   */
  public static final String ENGINE = "dev.tollgate.Tollgate";

  private SharedNames() {}
}
