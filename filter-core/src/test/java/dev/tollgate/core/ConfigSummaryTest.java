package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one-paragraph summary an operator reads in the startup log: each setting, as configured. */
class ConfigSummaryTest {

  @Test
  void theDefaultsAreSummedUpInOneLine() {
    TollgateConfig c = TollgateConfig.parse(props());

    assertEquals(
        "Tollgate: clients by [ip]; default: limits [100/1m as minute]; page size pageSize default"
            + " 20 max 1000 invalid->reject; headers ietf; store memory",
        c.summary());
    assertEquals(c.summary(), c.toString());
  }

  @Test
  void everySettingThatDiffersFromTheDefaultIsNamed() {
    TollgateConfig c =
        TollgateConfig.parse(
            props(
                "client.key", "principal, ip",
                "limits", "100/1m",
                "headers.dialects", "ietf, teos",
                "status.path", "/rate_limit",
                "concurrency.max-per-client", "4",
                "suspended", "user:mallory, 203.0.113.0/24",
                "rules.reports.path", "/reports/**",
                "rules.reports.methods", "POST",
                "rules.reports.limits", "10/1m",
                "rules.reports.cost", "2",
                "rules.reports.count-rejected", "true",
                "rules.reports.dry-run", "true",
                "rules.reports.count", "successful",
                "rules.reports.page-size.max", "50",
                "plans.free.limits", "100/1m",
                "plans.pro.limits", "1000/1m",
                "plans.pro.rules.reports.limits", "100/1m",
                "plans.pro.cost", "3",
                "plans.pro.page-size.max", "20",
                "plans.pro.concurrency.max-per-client", "2",
                "plans.pro.clients", "user:alice",
                "plans.default", "free",
                "plans.fallback", "pro"));

    assertEquals(
        "Tollgate: clients by [principal, ip]; default: limits [100/1m as minute]; page size"
            + " pageSize default 20 max 1000 invalid->reject;"
            + " reports: paths [/reports/**] methods [POST] limits [10/1m as minute] cost 2"
            + " counting rejected DRY-RUN count successful; page size pageSize default 20 max 50"
            + " invalid->reject;"
            + " headers ietf,teos; store memory; status at /rate_limit;"
            + " at most 4 in flight per client; 2 suspended;"
            + " plans free, pro by [clients, roles], default free, fallback pro;"
            + " plan free: limits [100/1m as free-minute];"
            + " plan pro: limits [1000/1m as pro-minute] reports [100/1m as pro-minute] cost 3"
            + " page size at most 20 at most 2 in flight",
        c.summary());
  }

  @Test
  void noDialectIsSaidAsNone() {
    TollgateConfig c = TollgateConfig.parse(props("headers.dialects", "none"));

    assertEquals(
        "Tollgate: clients by [ip]; default: limits [100/1m as minute]; page size pageSize default"
            + " 20 max 1000 invalid->reject; headers none; store memory",
        c.summary());
  }
}
