/**
 * Tollgate's Jakarta Servlet filter, {@link dev.tollgate.servlet.TollgateFilter}. A servlet
 * container loads a WAR's jars from the class path, where this descriptor is ignored.
 */
module dev.tollgate.servlet {
  exports dev.tollgate.servlet;

  // TollgateFilter is a jakarta.servlet.Filter built from core's Tollgate or TollgateConfig.
  requires transitive dev.tollgate.core;
  requires transitive jakarta.servlet;
  requires static org.jspecify;
}
