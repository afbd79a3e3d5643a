package dev.cadena.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * How long Spark's own pieces of a step take on this machine, without Cadena: an empty job, a
 * broadcast of a 101,770-float payload (the MNIST MLP's parameters) created and destroyed or
 * unpersisted, a {@code treeAggregate} of such payloads, and the payload in the closure instead.
 * Three rounds of 30 each (the first is JIT warm-up). A main, not a test: {@code mvn -f
 * spark/pom.xml test-compile exec:exec -Dexec.mainClass=dev.cadena.spark.LatencyProbe
 * -Dexec.args=local[2]}.
 */
public final class LatencyProbe {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master(args[0]).config("spark.ui.enabled", "false").getOrCreate();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < 2; i++) ids.add(i);
    JavaRDD<Integer> rdd = sc.parallelize(ids, 2).cache();
    rdd.count();
    float[] payload = new float[101770];
    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 30; i++) rdd.map(x -> x + 1).reduce(Integer::sum);
      long t1 = System.nanoTime();
      for (int i = 0; i < 30; i++) { Broadcast<float[]> b = sc.broadcast(payload); rdd.map(x -> b.value().length).reduce(Integer::sum); b.destroy(); }
      long t2 = System.nanoTime();
      for (int i = 0; i < 30; i++) { Broadcast<float[]> b = sc.broadcast(payload); rdd.map(x -> b.value().length).reduce(Integer::sum); b.unpersist(false); }
      long t3 = System.nanoTime();
      for (int i = 0; i < 30; i++) { rdd.map(x -> new float[101770]).treeAggregate(new float[101770], (a, c) -> a, (a, c) -> a, 2); }
      long t4 = System.nanoTime();
      for (int i = 0; i < 30; i++) { rdd.map(x -> payload.length).reduce(Integer::sum); }
      long t5 = System.nanoTime();
      System.out.printf("empty job %.1f ms, +broadcast/destroy %.1f ms, +broadcast/unpersist %.1f ms, treeAggregate 400KB results %.1f ms, closure 400KB %.1f ms%n",
          (t1 - t0) / 30e6, (t2 - t1) / 30e6, (t3 - t2) / 30e6, (t4 - t3) / 30e6, (t5 - t4) / 30e6);
    }
    spark.stop();
  }
}
