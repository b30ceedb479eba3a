package dev.tollgate.spring.boot;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.Tollgate;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Applies the {@code tollgate.*} properties now in the Environment to the running engine, as the
 * file reload does: {@link Tollgate#reconfigure} keeps every client's usage, and an invalid value
 * is logged with its key and the running configuration stays. Called on Spring Cloud's {@code
 * EnvironmentChangeEvent}; an application that changes its Environment some other way calls {@link
 * #refresh()} itself.
 */
public final class TollgateRefresher {

  private static final Log LOG = LogFactory.getLog(TollgateRefresher.class);

  private final Tollgate tollgate;
  private final TollgateProperties properties;

  TollgateRefresher(Tollgate tollgate, TollgateProperties properties) {
    this.tollgate = tollgate;
    this.properties = properties;
  }

  /**
   * Reads {@code tollgate.*} again and reconfigures the engine.
   *
   * @return true if the new configuration is in force, false if it was rejected (and logged)
   */
  public boolean refresh() {
    try {
      tollgate.reconfigure(properties.config());
      return true;
    } catch (ConfigException e) {
      LOG.error(
          "Rejected the new tollgate.* configuration: "
              + e.getMessage()
              + ". The previous configuration stays in force.");
      return false;
    }
  }
}
