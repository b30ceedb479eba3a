package dev.tollgate.example.jersey;

import dev.tollgate.jaxrs.TollgateFeature;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * The Jersey application: two resources and the Tollgate provider, configured by {@code
 * tollgate.properties} on the class path ({@code WEB-INF/classes}).
 */
public class ExampleApplication extends ResourceConfig {

  public ExampleApplication() {
    register(AssetsResource.class);
    register(ReportsResource.class);
    register(BillingResource.class);
    register(TollgateFeature.fromClasspath("tollgate.properties"));
  }
}
