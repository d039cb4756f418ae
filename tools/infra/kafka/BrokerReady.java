import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;

/**
 * Waits until the broker at args[0] answers metadata requests with itself and an active controller, or exits 1
 * after args[1] seconds. Run by tools/infra/kafka.sh with the broker's own jars (java source-file mode):
 * an open port alone does not mean the broker serves requests yet.
 */
public class BrokerReady {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    Instant deadline = Instant.now().plusSeconds(Long.parseLong(args[1]));
    Map<String, Object> config = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    String lastProblem = "no answer yet";
    try (Admin admin = Admin.create(config)) {
      while (Instant.now().isBefore(deadline)) {
        try {
          DescribeClusterResult cluster = admin.describeCluster();
          int brokers = cluster.nodes().get(5, TimeUnit.SECONDS).size();
          boolean hasController = cluster.controller().get(5, TimeUnit.SECONDS) != null;
          if (brokers > 0 && hasController) {
            System.out.println("Kafka broker ready at " + bootstrap + " (cluster " + cluster.clusterId().get() + ")");
            return;
          }
          lastProblem = brokers + " broker(s), controller " + (hasController ? "known" : "unknown");
        } catch (Exception e) {
          lastProblem = e.getCause() != null ? e.getCause().toString() : e.toString();
        }
        Thread.sleep(250);
      }
    }
    System.err.println("Kafka broker at " + bootstrap + " not ready in time: " + lastProblem);
    System.exit(1);
  }
}
