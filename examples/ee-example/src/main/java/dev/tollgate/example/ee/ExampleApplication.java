package dev.tollgate.example.ee;

import dev.tollgate.jaxrs.TollgateFeature;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * A plain Jakarta REST application, for a server that brings its own runtime (RESTEasy on WildFly
 * and JBoss EAP, CXF on TomEE): the WAR holds Tollgate and no JAX-RS implementation. The provider
 * is configured by {@code tollgate.properties} on the class path ({@code WEB-INF/classes}).
 */
@ApplicationPath("/api")
public class ExampleApplication extends Application {

  @Override
  public Set<Class<?>> getClasses() {
    return Set.of(ItemsResource.class, ReportsResource.class);
  }

  /** Deprecated in 3.1 in favour of CDI, but the portable way to hand the runtime an instance. */
  @Override
  @SuppressWarnings("deprecation")
  public Set<Object> getSingletons() {
    return Set.of(TollgateFeature.fromClasspath("tollgate.properties"));
  }
}
