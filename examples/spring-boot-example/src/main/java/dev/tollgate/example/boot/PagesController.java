package dev.tollgate.example.boot;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * One page of a made-up collection: {@code {"page": P, "pageSize": N, "items": [...N items...]}},
 * as the other examples serve it. {@code pageSize} arrives as Tollgate left it: the default if the
 * client sent none, never above the endpoint's maximum.
 */
@RestController
class PagesController {

  @GetMapping(value = "/api/assets", produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> assets(
      @RequestParam(required = false) String pageSize,
      @RequestParam(required = false) String page) {
    return page("asset", pageSize, page);
  }

  @GetMapping(value = "/api/reports", produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> reports(
      @RequestParam(required = false) String pageSize,
      @RequestParam(required = false) String page) {
    return page("report", pageSize, page);
  }

  private static ResponseEntity<String> page(String kind, String pageSizeParam, String pageParam) {
    Integer pageSize = positive(pageSizeParam);
    Integer page = pageParam == null ? Integer.valueOf(1) : positive(pageParam);
    if (pageSize == null || page == null) {
      // Not reached for pageSize behind Tollgate; page is the application's own business.
      return ResponseEntity.badRequest()
          .body("{\"error\":\"page and pageSize must be whole numbers of at least 1\"}");
    }
    StringBuilder out =
        new StringBuilder("{\"page\":")
            .append(page)
            .append(",\"pageSize\":")
            .append(pageSize)
            .append(",\"items\":[");
    long first = (long) (page - 1) * pageSize + 1;
    for (int i = 0; i < pageSize; i++) {
      long id = first + i;
      out.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(id)
          .append(",\"name\":\"")
          .append(kind)
          .append(' ')
          .append(id)
          .append("\"}");
    }
    return ResponseEntity.ok(out.append("]}").toString());
  }

  private static Integer positive(String value) {
    if (value == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(value);
      return n >= 1 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
