#!/usr/bin/env bash
# Regenerates the sample banner images in assets/media/ from nothing but ffmpeg's
# lavfi sources and the WenQuanYi Micro Hei font (Debian: ffmpeg, fonts-wqy-microhei).
# The images are committed, so the player does not need this script to run; run it
# after changing a banner:   bash assets/make-media.sh
# Each banner is 1920x1080 PNG: a coloured field, a border band (drawbox) and text
# (drawtext). The texts come from the 2024 Safety Production Month notice
# (泉洛商务〔2024〕26号).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/media"
font=${FONT:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
mkdir -p "$out"

# banner NAME BG FG BAND "LINE1" "LINE2" "LINE3"
banner() {
  local name=$1 bg=$2 fg=$3 band=$4 l1=$5 l2=$6 l3=$7
  local dt="fontfile=$font:fontcolor=$fg:x=(w-text_w)/2"
  ffmpeg -loglevel error -y -f lavfi -i "color=c=$bg:s=1920x1080:d=1" -frames:v 1 \
    -vf "drawbox=x=40:y=40:w=1840:h=1000:color=$band:t=24,\
drawtext=$dt:fontsize=120:y=250:text='$l1',\
drawtext=$dt:fontsize=180:y=450:text='$l2',\
drawtext=$dt:fontsize=72:y=760:text='$l3'" \
    -pix_fmt rgb24 "$out/$name.png"
  echo "made $out/$name.png"
}

banner 0616-consultation-day '#0b4ea2' white '#ffd200' \
  '6月16日' '全国安全宣传咨询日' '人人讲安全、个个会应急——畅通生命通道'
banner fire-exit '#00843d' white white \
  '安全出口 生命通道' '严禁堵塞 占用' '疏散通道、安全出口保持畅通，熟悉消防器材使用'
banner hotline '#c8102e' white '#ffd200' \
  '发现安全生产风险隐患' '举报 12350' '便民服务热线 12345 · 安全生产举报微信小程序'
banner e-bike '#f2a900' '#1a1a1a' '#1a1a1a' \
  '电动自行车' '严禁入户 严禁飞线充电' '请到集中充电点充电 · 充满即断电'
