package dev.vaestream.core.scratch;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.VaeModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

public class StepBench {
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("nogc")) Nd4j.getMemoryManager().togglePeriodicGc(false);
    MnistDataset train = MnistDataset.bundled(MnistSplit.TRAIN);
    VaeModel m = VaeModel.create(42);
    float[] buf = new float[32 * 784];
    INDArray[] batches = new INDArray[100];
    for (int b = 0; b < 100; b++) {
      for (int i = 0; i < 32; i++) train.copyScaled(b * 32 + i, buf, i * 784);
      batches[b] = VaeModel.batch(buf.clone(), 32);
    }
    for (int rep = 0; rep < 5; rep++) {
      long t0 = System.nanoTime();
      for (int s = 0; s < 500; s++) m.trainStep(batches[s % 100]);
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("%.0f img/s%n", 500 * 32 / secs);
    }
  }
}
