package dev.tollgate.spring.boot.actuate;

import dev.tollgate.core.Tollgate;
import dev.tollgate.spring.boot.TollgateAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code tollgate} Actuator endpoint, when the application has Actuator. */
@AutoConfiguration(after = TollgateAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(Tollgate.class)
@ConditionalOnAvailableEndpoint(endpoint = TollgateEndpoint.class)
public class TollgateEndpointAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  public TollgateEndpoint tollgateEndpoint(Tollgate tollgate) {
    return new TollgateEndpoint(tollgate);
  }
}
