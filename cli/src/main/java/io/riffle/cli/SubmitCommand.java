package io.riffle.cli;

import io.riffle.jobs.LabelJoinJob;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.trainer.service.TrainerService;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code riffle submit --config FILE --jobmanager HOST:PORT}: a pipeline file's jobs on a Flink session cluster. */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Submits a pipeline file's jobs to a Flink session cluster.",
                "",
                "The scoring job and the label join go to the cluster as one Flink job named",
                "after the pipeline; the command returns once the cluster has it. Riffle's",
                "classes and their non-Flink dependencies (Kafka connector and client, Avro,",
                "ONNX Runtime, Jackson, ...) are shipped with the job: the cluster needs",
                "nothing but Flink 2.2. Missing topics are created from here, so Kafka must be",
                "reachable from this machine too. The trainers are not Flink jobs:",
                "--with-trainers keeps them running in this process until Ctrl-C, and",
                "--trainers-only runs only them (for a job submitted earlier).",
                ""})
public final class SubmitCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SubmitCommand.class);

    @Mixin
    PipelineFileOption config;

    @Option(names = "--jobmanager", paramLabel = "HOST:PORT",
            description = "REST endpoint of the Flink session cluster, the address of its web UI (rest.address"
                    + " and rest.port, 8081 by default), e.g. localhost:8081. Required unless --trainers-only.")
    String jobmanager;

    @Option(names = "--bootstrap-servers", paramLabel = "SERVERS",
            description = "Override the file's Kafka bootstrap servers, as the cluster's task managers reach them.")
    String bootstrapServers;

    @Option(names = "--parallelism", paramLabel = "N",
            description = "Override the file's scoring.parallelism (the label join runs with the same).")
    Integer parallelism;

    @Option(names = "--savepoint", paramLabel = "PATH",
            description = "Restore the job from this savepoint or retained checkpoint: a path the cluster can"
                    + " read, as flink stop --savepointPath printed it.")
    String savepoint;

    @Option(names = "--allow-non-restored-state",
            description = "With --savepoint: skip savepoint state that no operator of the job claims.")
    boolean allowNonRestoredState;

    @Option(names = "--provided", paramLabel = "ARTIFACT",
            description = "Do not ship this jar (e.g. onnxruntime): the cluster has it in lib/. Repeatable.")
    List<String> provided = new ArrayList<>();

    @Option(names = "--with-trainers",
            description = "After submitting, keep the pipeline's trainers running here until Ctrl-C (the job keeps running).")
    boolean withTrainers;

    @Option(names = "--trainers-only",
            description = "Submit nothing; run the pipeline's trainers here until Ctrl-C.")
    boolean trainersOnly;

    @Override
    public Integer call() throws Exception {
        PipelineSpec spec = config.load("Not submitted");
        if (spec == null) {
            return 1;
        }
        String servers = bootstrapServers != null ? bootstrapServers : spec.kafka().bootstrapServers();
        if (trainersOnly) {
            if (jobmanager != null || savepoint != null || withTrainers) {
                System.err.println("--trainers-only submits nothing: drop --jobmanager, --savepoint and --with-trainers");
                return 2;
            }
            return runTrainers(spec, servers);
        }
        if (jobmanager == null) {
            System.err.println("Missing --jobmanager HOST:PORT: the REST endpoint of your Flink session cluster"
                    + " (rest.port, 8081 by default); or --trainers-only to run only the trainers");
            return 2;
        }
        if (parallelism != null && parallelism < 1) {
            System.err.println("--parallelism must be at least 1, got " + parallelism);
            return 2;
        }
        if (allowNonRestoredState && savepoint == null) {
            System.err.println("--allow-non-restored-state only applies with --savepoint PATH");
            return 2;
        }
        RemoteFlink cluster;
        try {
            cluster = RemoteFlink.parse(jobmanager);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        int jobParallelism = parallelism != null ? parallelism : spec.scoring().parallelism();

        JobClient job;
        JobJars jars;
        String clusterVersion;
        try {
            clusterVersion = cluster.flinkVersion();
            List<String> same = cluster.activeJobsNamed(spec.name());
            if (!same.isEmpty()) {
                System.err.printf("Not submitted: pipeline '%s' already runs on %s as job %s. A second copy would share"
                                + " its consumer groups and transactional ids. Cancel it first (flink cancel -m %s:%d"
                                + " JOB_ID), or stop it with a savepoint (flink stop -m %s:%d --savepointPath DIR JOB_ID)"
                                + " and submit again with --savepoint PATH.%n", spec.name(), cluster.url(),
                        String.join(", ", same), cluster.host(), cluster.port(), cluster.host(), cluster.port());
                return 1;
            }
            String timeoutProblem = PipelineLaunch.transactionTimeoutProblem(servers, spec.kafka().properties(),
                    PipelineLaunch.jobOptions(spec, servers, jobParallelism));
            if (timeoutProblem != null) {
                System.err.println("Not submitted: " + timeoutProblem);
                return 1;
            }
            long started = System.nanoTime();
            PipelineLaunch.ensureTopics(spec, servers, jobParallelism);
            long topicsReady = System.nanoTime();
            jars = JobJars.forJobClasses(PipelineScoringJob.class, LabelJoinJob.class).without(provided);
            long jarsFound = System.nanoTime();

            StreamExecutionEnvironment env = cluster.environment(jars.jars(), savepoint, allowNonRestoredState);
            env.setParallelism(jobParallelism);
            PipelineLaunch.build(spec, PipelineLaunch.jobOptions(spec, servers, jobParallelism), env);
            job = env.executeAsync(spec.name());
            LOG.info("Submitted {} to {}: topics checked in {} ms, {} jars found in {} ms, uploaded and accepted in {} ms",
                    spec.name(), cluster.url(), (topicsReady - started) / 1_000_000, jars.jars().size(),
                    (jarsFound - topicsReady) / 1_000_000, (System.nanoTime() - jarsFound) / 1_000_000);
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("Not submitted: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("Not submitted: the cluster at " + cluster.url() + " did not accept the job: "
                    + rootMessage(e));
            return 1;
        }
        printSubmitted(spec, cluster, clusterVersion, jars, job, jobParallelism);
        return withTrainers ? runTrainers(spec, servers) : 0;
    }

    private void printSubmitted(PipelineSpec spec, RemoteFlink cluster, String clusterVersion, JobJars jars,
                                JobClient job, int jobParallelism) throws Exception {
        JobID id = job.getJobID();
        String status;
        try {
            JobStatus s = job.getJobStatus().get(10, TimeUnit.SECONDS);
            status = s.toString();
        } catch (Exception e) {
            status = "unknown (" + rootMessage(e) + ")";
        }
        String m = cluster.host() + ":" + cluster.port();
        System.out.printf("Submitted pipeline '%s' to the Flink %s cluster at %s (%s).%n", spec.name(), clusterVersion,
                cluster.url(), PipelineLaunch.topicsLine(spec));
        System.out.printf("  job id   %s (scoring + label join, parallelism %d, status %s)%n", id, jobParallelism,
                status);
        System.out.printf("  web UI   %s/#/job/running/%s/overview%n", cluster.url(), id);
        System.out.printf(Locale.ROOT, "  shipped  %d jars, %.1f MB: %s%n", jars.jars().size(),
                jars.totalBytes() / 1e6, jars.names());
        System.out.printf("  upgrade  flink stop -m %s --savepointPath DIR %s, then riffle submit ... --savepoint PATH%n",
                m, id);
        System.out.printf("  cancel   flink cancel -m %s %s  (or: curl -X PATCH '%s/jobs/%s?mode=cancel')%n", m, id,
                cluster.url(), id);
        if (!EnvironmentInformation.getVersion().equals(clusterVersion)) {
            System.out.printf("  note     Riffle is built with Flink %s; the cluster runs %s%n",
                    EnvironmentInformation.getVersion(), clusterVersion);
        }
        if (!withTrainers) {
            System.out.printf("The trainers are not Flink jobs and are not running. Run them where Kafka is reachable:%n"
                    + "  ./riffle submit --config %s --trainers-only%s%n"
                    + "(next time, --with-trainers submits and keeps them running in this process).%n", config.path(),
                    bootstrapServers != null ? " --bootstrap-servers " + bootstrapServers : "");
        }
    }

    private int runTrainers(PipelineSpec spec, String servers) throws Exception {
        List<TrainerService> trainers = List.of();
        try (StopSignal stop = new StopSignal("riffle-submit")) {
            try {
                trainers = PipelineLaunch.startTrainers(spec, servers);
                System.out.printf("%d trainer(s) of pipeline '%s' running against %s; Ctrl-C stops them"
                        + " (not the Flink job).%n", trainers.size(), spec.name(), servers);
                stop.await(null);
                return 0;
            } finally {
                PipelineLaunch.stopTrainers(trainers);
            }
        }
    }

    /** The innermost cause's message: Flink wraps the server's answer in several layers. */
    static String rootMessage(Throwable e) {
        Throwable root = ExceptionUtils.stripExecutionException(e);
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.toString();
        return message.length() > 2000 ? message.substring(0, 2000) + " …" : message;
    }
}
