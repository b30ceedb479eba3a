package dev.tollgate.spring.boot;

import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ApplicationListener;

/** On Spring Cloud's refresh, reconfigures Tollgate if a {@code tollgate.*} key changed. */
final class TollgateEnvironmentChangeListener
    implements ApplicationListener<EnvironmentChangeEvent> {

  private final TollgateRefresher refresher;

  TollgateEnvironmentChangeListener(TollgateRefresher refresher) {
    this.refresher = refresher;
  }

  @Override
  public void onApplicationEvent(EnvironmentChangeEvent event) {
    if (event.getKeys().stream()
        .anyMatch(k -> k.regionMatches(true, 0, TollgateProperties.PREFIX + ".", 0, 9))) {
      refresher.refresh();
    }
  }
}
