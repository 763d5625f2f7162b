/**
 * The end-of-run training loss of a training run, defined once for every place that quotes it
 * (the model card train/model-card.ts writes, chapter 8's prose and loss curve): the mean
 * training loss of the run's last FINAL_LOSS_STEPS steps, read from its log. One step's loss is
 * noisy (a batch of a few sequences), so a single step would not do.
 */

/** Steps in the mean that defines a run's end-of-run training loss. */
export const FINAL_LOSS_STEPS = 50;

/** The mean of the last FINAL_LOSS_STEPS losses (all of them when the run is shorter). */
export function finalTrainLoss(losses: readonly number[]): number {
  const recent = losses.slice(-FINAL_LOSS_STEPS);
  if (recent.length === 0) throw new Error('finalTrainLoss: the log has no steps');
  return recent.reduce((a, x) => a + x, 0) / recent.length;
}
