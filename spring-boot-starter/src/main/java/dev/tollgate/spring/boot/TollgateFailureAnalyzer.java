package dev.tollgate.spring.boot;

import dev.tollgate.core.ConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a Tollgate configuration error at startup in Boot's "APPLICATION FAILED TO START" form:
 * core's message (key, value, what is expected) and the Spring property to correct.
 */
public class TollgateFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
    String description = "Tollgate cannot start: " + cause.getMessage();
    String action =
        "Correct the Spring property "
            + TollgateProperties.PREFIX
            + "."
            + cause.key()
            + ". The tollgate.* properties are the keys of Tollgate's configuration reference with the prefix"
            + " tollgate. (tollgate.enabled=false switches Tollgate off).";
    return new FailureAnalysis(description, action, cause);
  }
}
