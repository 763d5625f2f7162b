/**
 * The Predict widget's strings (components/predict.ts), and the idle note and caption of its
 * mount (site/components/Predict.astro).
 */
import { defineStrings } from './i18n/index.ts';

export const strings = defineStrings({
  en: {
    'predict.idle': 'A question for you: it opens when it comes into view and the model is loaded.',
    'predict.caption': 'Predict, then reveal: commit a guess first. The model’s answer is computed only after that, and your guess stays beside it.',
    'predict.yourGuess': 'Your guess',
    'predict.modelAnswer': 'The model',
    'predict.commit': 'Commit my guess',
    'predict.reveal': 'Reveal the model’s answer',
    'predict.revealing': 'Asking the model…',
    'predict.again': 'Ask again',
    'predict.locked': 'Your guess is locked in: {guess}. The model’s answer has not been computed yet.',
    'predict.match': 'Match: your guess is what the model did.',
    'predict.miss': 'No match: the model did something else.',
    'predict.chooseFirst': 'Choose an answer first.',
    'predict.typeFirst': 'Type your guess first.',
    'predict.badNumber': 'Type a whole number from {min} to {max}.',
    'predict.badNumberFrom': 'Type a whole number from {min} up.',
    'predict.failed': 'The model’s answer could not be computed: {error}',
  },
  'zh-cn': {
    'predict.idle': '给你的一道题：它滚动到视野里、模型加载好之后就会出现。',
    'predict.caption': '先猜，再揭晓：先提交你的猜测，模型的答案在那之后才计算，你的猜测会留在答案旁边。',
    'predict.yourGuess': '你的猜测',
    'predict.modelAnswer': '模型',
    'predict.commit': '提交我的猜测',
    'predict.reveal': '揭晓模型的答案',
    'predict.revealing': '正在询问模型……',
    'predict.again': '再来一次',
    'predict.locked': '你的猜测已锁定：{guess}。模型的答案还没有计算。',
    'predict.match': '猜中了：模型做的正是你猜的。',
    'predict.miss': '没猜中：模型做了别的选择。',
    'predict.chooseFirst': '请先选一个答案。',
    'predict.typeFirst': '请先输入你的猜测。',
    'predict.badNumber': '请输入 {min} 到 {max} 之间的整数。',
    'predict.badNumberFrom': '请输入不小于 {min} 的整数。',
    'predict.failed': '没能算出模型的答案：{error}',
  },
});
