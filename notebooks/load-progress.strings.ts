/** What a model's loading says while it runs (load-progress.ts). */
import { defineStrings } from '../components/i18n/index.ts';

export const t = defineStrings({
  en: {
    'progress.download': 'Downloading{file}: {loaded}{of}{percent}{speed}{resumed}…',
    'progress.of': ' of {total}',
    'progress.speed': ', {speed}/s',
    'progress.resumed': ' (resumed after {bytes})',
    'progress.read': "Reading the model from this browser's storage{size}…",
    'progress.check': 'Checking the files (config, tensor names and shapes, vocabulary)…',
    'progress.upload': 'Putting the weights on the backend…',
    'progress.store': 'Keeping the model in this browser for next time…',
  },
  'zh-cn': {
    'progress.download': '正在下载{file}：{loaded}{of}{percent}{speed}{resumed}……',
    'progress.of': ' / {total}',
    'progress.speed': '，{speed}/秒',
    'progress.resumed': '（从 {bytes} 处继续）',
    'progress.read': '正在从这个浏览器的存储中读取模型{size}……',
    'progress.check': '正在检查文件（配置、张量名称和形状、词表）……',
    'progress.upload': '正在把权重放到计算后端上……',
    'progress.store': '正在把模型保存到这个浏览器里，方便下次使用……',
  },
});
