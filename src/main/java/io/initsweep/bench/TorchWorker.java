package io.initsweep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** The PyTorch side of the benchmark: one Python process, one thread, fed cells one at a time. */
final class TorchWorker implements AutoCloseable {
    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;
    private final ObjectMapper json = new ObjectMapper();

    /** One trained cell: seconds and the final test loss. */
    record Result(double seconds, double finalTestLoss, String version) {
    }

    /** K cells trained in one request: the seconds of all, each one's final test loss. */
    record GroupResult(double seconds, double[] finalTestLosses) {
    }

    TorchWorker(String python, Path script) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(python, script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(Map.of("OMP_NUM_THREADS", "1", "MKL_NUM_THREADS", "1"));
        process = builder.start();
        in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    Result train(Path cell) throws IOException {
        JsonNode answer = request(Map.of("cell", cell.toString()));
        JsonNode epochs = answer.get("epochs");
        return new Result(answer.get("seconds").asDouble(), epochs.get(epochs.size() - 1).get(2).asDouble(),
                answer.get("torch").asText());
    }

    /**
     * Trains K cells of one shape: one after another ({@code ensemble} false: the per-seed loop) or as one batched
     * computation over stacked weights ({@code ensemble} true).
     */
    GroupResult train(java.util.List<Path> cells, boolean ensemble) throws IOException {
        JsonNode answer = request(Map.of("cells", cells.stream().map(Path::toString).toList(),
                "mode", ensemble ? "ensemble" : "loop"));
        JsonNode epochs = answer.get("epochs");
        double[] losses = new double[epochs.size()];
        for (int i = 0; i < losses.length; i++) {
            JsonNode seed = epochs.get(i);
            losses[i] = seed.get(seed.size() - 1).get(2).asDouble();
        }
        return new GroupResult(answer.get("seconds").asDouble(), losses);
    }

    private JsonNode request(Map<String, ?> request) throws IOException {
        in.write(json.writeValueAsString(request));
        in.newLine();
        in.flush();
        String line = out.readLine();
        if (line == null) {
            throw new IOException("the PyTorch worker ended (exit " + (process.isAlive() ? "?" : process.exitValue())
                    + ")");
        }
        return json.readTree(line);
    }

    @Override
    public void close() throws IOException {
        in.close();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
