package dev.tollgate.spring.boot;

import dev.tollgate.core.Clock;
import dev.tollgate.core.ConfigException;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateMetrics;
import dev.tollgate.core.micrometer.MicrometerMetrics;
import dev.tollgate.servlet.TollgateFilter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Registers {@link TollgateFilter} for every request of a servlet web application, configured from
 * the {@code tollgate.*} properties (the keys of Tollgate's configuration reference). Wiring only:
 * every decision is core's.
 *
 * <ul>
 *   <li>the engine is a {@link Tollgate} bean (define your own to choose its store or clock; it is
 *       then used as it is);
 *   <li>decisions are recorded in the application's {@link MeterRegistry} when it has one, and a
 *       {@link Clock} bean, if any, is the engine's clock (tests move it instead of sleeping);
 *   <li>{@code tollgate.store.type=redis} without {@code tollgate.store.redis.uri} connects to the
 *       Redis of {@code spring.data.redis.*};
 *   <li>the filter runs early ({@link #FILTER_ORDER}), or right after Spring Security's filter
 *       chain when a {@code client.key} uses {@code principal} ({@link TollgateFilterOrder});
 *   <li>{@code tollgate.enabled=false} switches all of it off.
 * </ul>
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration"
    })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(TollgateFilter.class)
@ConditionalOnProperty(
    prefix = TollgateProperties.PREFIX,
    name = TollgateProperties.ENABLED,
    havingValue = "true",
    matchIfMissing = true)
public class TollgateAutoConfiguration {

  /**
   * The filter's order unless clients are identified by principal: after Boot's character-encoding
   * and observation filters (so a 429 still shows in {@code http.server.requests}), before
   * everything else, so that a rejected request costs the application nothing.
   */
  public static final int FILTER_ORDER = TollgateFilterOrder.EARLY;

  /**
   * The engine for the {@code tollgate.*} properties.
   *
   * @throws ConfigException naming the key, the value and the Spring property (reported at startup
   *     by {@link TollgateFailureAnalyzer})
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Tollgate tollgate(
      Environment environment,
      ObjectProvider<TollgateMetrics> metrics,
      ObjectProvider<Clock> clock) {
    TollgateProperties properties = new TollgateProperties(environment);
    Tollgate.Builder builder = Tollgate.builder(properties.config());
    metrics.ifAvailable(builder::metrics);
    clock.ifAvailable(builder::clock);
    try {
      // Builds the store, so a wrong store.* setting is reported here, against its property.
      return builder.build();
    } catch (ConfigException e) {
      throw properties.located(e);
    }
  }

  /**
   * The filter, for every request ({@code /*}, REQUEST dispatches; others pass it untouched
   * anyway).
   */
  @Bean
  @ConditionalOnMissingBean(name = "tollgateFilter")
  public FilterRegistrationBean<TollgateFilter> tollgateFilter(
      Tollgate tollgate, Environment environment) {
    FilterRegistrationBean<TollgateFilter> registration =
        new FilterRegistrationBean<>(new TollgateFilter(tollgate));
    registration.setName("tollgate");
    registration.setAsyncSupported(true);
    registration.addUrlPatterns("/*");
    registration.setDispatcherTypes(DispatcherType.REQUEST);
    registration.setOrder(
        TollgateFilterOrder.of(new TollgateProperties(environment).keys(), environment));
    return registration;
  }

  /** Applies a changed {@code tollgate.*} to the running engine; usage is kept. */
  @Bean
  @ConditionalOnMissingBean
  public TollgateRefresher tollgateRefresher(Tollgate tollgate, Environment environment) {
    return new TollgateRefresher(tollgate, new TollgateProperties(environment));
  }

  /** Decisions in the application's Micrometer registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class MetricsConfiguration {

    @Bean
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnMissingBean
    TollgateMetrics tollgateMetrics(MeterRegistry registry) {
      return new MicrometerMetrics(registry);
    }
  }

  /**
   * Spring Cloud's refresh ({@code /actuator/refresh}, {@code @RefreshScope}'s trigger)
   * reconfigures Tollgate.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.cloud.context.environment.EnvironmentChangeEvent")
  static class SpringCloudRefreshConfiguration {

    @Bean
    TollgateEnvironmentChangeListener tollgateEnvironmentChangeListener(
        TollgateRefresher refresher) {
      return new TollgateEnvironmentChangeListener(refresher);
    }
  }
}
