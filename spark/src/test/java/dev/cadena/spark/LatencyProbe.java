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
 * unpersisted, a {@code treeAggregate} of such payloads, and the payload in the closure instead;
 * three rounds of 30 each (the first is JIT warm-up). Then barrier mode: one long-lived job whose
 * tasks exchange the payload (base64, as {@code allGather} carries strings) 60 times, the last 30
 * timed. A main, not a test: {@code mvn -f
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
    // Barrier mode: one long-lived job, 30 rounds of allGather of the payload as base64 (allGather
    // carries strings), timed in task 0 after 30 rounds of warm-up.
    int n = spark.sparkContext().defaultParallelism();
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < n; i++) slots.add(i);
    for (int rep = 0; rep < 2; rep++) {
      scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Double>> f =
          (scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Double>>
              & java.io.Serializable) it -> {
            org.apache.spark.BarrierTaskContext ctx = org.apache.spark.BarrierTaskContext.get();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(payload.length * 4);
            buf.asFloatBuffer().put(payload);
            String msg = java.util.Base64.getEncoder().encodeToString(buf.array());
            long t0 = 0;
            for (int i = 0; i < 60; i++) {
              if (i == 30) {
                t0 = System.nanoTime();
              }
              String[] all = ctx.allGather(msg);
              for (String a : all) {
                java.util.Base64.getDecoder().decode(a);
              }
            }
            double per = (System.nanoTime() - t0) / 30e6;
            return scala.jdk.javaapi.CollectionConverters.asScala(List.of(per).iterator());
          };
      List<Double> ms = sc.parallelize(slots, n).rdd().barrier()
          .mapPartitions(f, false, scala.reflect.ClassTag$.MODULE$.apply(Double.class))
          .toJavaRDD().collect();
      System.out.printf("barrier allGather of %d x 400KB (base64, decoded): %s ms per round%n", n, ms);
    }
    spark.stop();
  }
}
