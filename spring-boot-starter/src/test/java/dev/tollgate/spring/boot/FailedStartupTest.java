package dev.tollgate.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.ConfigException;
import dev.tollgate.spring.boot.testapp.TestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A property Tollgate cannot use stops the application at startup, and Boot's failure report says
 * which property, which value, what was expected and where it was set.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailedStartupTest {

  private static Throwable start(String... args) {
    return assertThrows(
        Throwable.class,
        () ->
            new SpringApplicationBuilder(TestApplication.class)
                .properties("server.port=0", "spring.main.banner-mode=off")
                .run(args)
                .close());
  }

  private static ConfigException configException(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConfigException e) {
        return e;
      }
    }
    throw new AssertionError("no ConfigException in", t);
  }

  @Test
  void aBadLimitInAProfilesFileNamesKeyValueAndFile(CapturedOutput output) {
    Throwable failure = start("--spring.profiles.active=badlimit");

    String report = output.getOut() + output.getErr();
    assertTrue(report.contains("APPLICATION FAILED TO START"), report);
    assertTrue(
        report.contains(
            "Tollgate cannot start: limits: '10O/1m' is not a valid limit (expected <count>/<duration>"),
        report);
    assertTrue(
        report.contains(
            "(Spring property tollgate.limits in class path resource [application-badlimit.properties] - 1:17)"),
        report);
    assertTrue(report.contains("Correct the Spring property tollgate.limits."), report);

    FailureAnalysis analysis = new TollgateFailureAnalyzer().analyze(failure);
    assertTrue(
        analysis
            .getDescription()
            .startsWith("Tollgate cannot start: limits: '10O/1m' is not a valid limit"),
        analysis.getDescription());
  }

  @Test
  void anUnknownKeyIsAnError() {
    ConfigException e = configException(start("--tollgate.rules.slow.limitz=1/1m"));
    assertEquals("rules.slow.limitz", e.key());
    assertTrue(
        e.getMessage().contains("Spring property tollgate.rules.slow.limitz"), e.getMessage());
    assertTrue(
        new TollgateFailureAnalyzer()
            .analyze(e)
            .getAction()
            .contains("tollgate.rules.slow.limitz"));
  }

  @Test
  void aBadStoreSettingIsReportedAgainstItsProperty() {
    ConfigException e =
        configException(
            start("--tollgate.store.type=redis", "--tollgate.store.redis.timeout=fast"));
    assertEquals("store.redis.timeout", e.key());
    assertTrue(
        e.getMessage().startsWith("store.redis.timeout: 'fast' is not a duration"), e.getMessage());
    assertTrue(
        e.getMessage()
                .contains(
                    "(Spring property tollgate.store.redis.timeout in \"tollgate.store.redis.timeout\" from property source \"commandLineArgs\")")
            || e.getMessage().contains("Spring property tollgate.store.redis.timeout"),
        e.getMessage());
  }
}
