/** Chapter 10's strings (applications, limits, FAQ), both locales: its cell's and its question's. */
import { defineStrings } from '../../../components/i18n/index.ts';

export const ui = defineStrings({
  en: {
    'ch10.softmax.caption': 'softmax([0.1, 0.2, 0.3, 0.4]) at temperature 1, computed by the engine’s sampler',
    'ch10.softmax.logit': 'Logit',
    'ch10.softmax.prob': 'Probability',
    'ch10.softmax.words': 'The probabilities add up to {sum}. The largest is only {ratio} times the smallest: logits 0.3 apart become probabilities that differ by a factor of e^0.3, not a landslide.',
    'predict.ch10.yes': 'Yes: the same {n} tokens',
    'predict.ch10.no': 'No: different tokens',
    'predict.ch10.context': 'Seed {seed}, temperature {t}. Reveal makes sure the first {n} ticks have run, presses Reset, and runs {n} ticks again.',
    'predict.ch10.run': 'Run it twice and reveal',
    'predict.ch10.same': 'The same tokens: “{text}”',
    'predict.ch10.different': 'Different tokens, from tick {index} on',
    'predict.ch10.detail': 'First {n} ticks: “{first}”. After Reset: “{second}”. The dice are pseudo-random: tick i draws a number from the seed and i alone.',
  },
  'zh-cn': {
    'ch10.softmax.caption': '温度为 1 时的 softmax([0.1, 0.2, 0.3, 0.4])，由引擎的采样器算出',
    'ch10.softmax.logit': 'logit',
    'ch10.softmax.prob': '概率',
    'ch10.softmax.words': '这些概率加起来等于 {sum}。最大的只是最小的 {ratio} 倍：相差 0.3 的 logits，变成概率之后只相差 e^0.3 倍，远谈不上一边倒。',
    'predict.ch10.yes': '会：同样的 {n} 个词元',
    'predict.ch10.no': '不会：不同的词元',
    'predict.ch10.context': '随机种子 {seed}，温度 {t}。揭晓时会确保前 {n} 拍已经运行，然后按下重置，再运行 {n} 拍。',
    'predict.ch10.run': '运行两遍并揭晓',
    'predict.ch10.same': '同样的词元：“{text}”',
    'predict.ch10.different': '从第 {index} 拍起词元不同',
    'predict.ch10.detail': '前 {n} 拍：“{first}”。重置之后：“{second}”。这里的骰子是伪随机的：第 i 拍抽到的数只由种子和 i 决定。',
  },
});
